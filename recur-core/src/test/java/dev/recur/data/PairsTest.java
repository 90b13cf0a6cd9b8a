package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairsTest {
    @Test
    void readsPairsWithTheirLinesAndKeepsQuotesAsWritten() {
        List<Pairs.Pair> p = Pairs.parse("ABACK\tAH0 B AE1 K\r\n\nsay \"hi\"\t  di \"hola\" \nABACK\tAH0 B AE2 K");
        assertThat(p).containsExactly(new Pairs.Pair("ABACK", "AH0 B AE1 K", 1), new Pairs.Pair("say \"hi\"", "di \"hola\"", 3),
                new Pairs.Pair("ABACK", "AH0 B AE2 K", 4));
    }

    @Test
    void badLinesNameTheirLine() {
        assertThatThrownBy(() -> Pairs.parse("a\tb\nno tab here\n")).isInstanceOf(InvalidDataException.class).hasMessageContaining(":2:").hasMessageContaining("no tab");
        assertThatThrownBy(() -> Pairs.parse("a\tb\tc\n")).hasMessageContaining(":1:").hasMessageContaining("more than one tab");
        assertThatThrownBy(() -> Pairs.parse("a\tb\n \tb\n")).hasMessageContaining(":2:").hasMessageContaining("source (before the tab) is empty");
        assertThatThrownBy(() -> Pairs.parse("a\t \n")).hasMessageContaining(":1:").hasMessageContaining("target (after the tab) is empty");
        assertThatThrownBy(() -> Pairs.parse("\n\n")).hasMessageContaining("no pairs");
    }

    @Test
    void readsTheBundledSplits() throws IOException {
        List<Pairs.Pair> test = Pairs.read(Path.of("../data/cmudict/test.tsv.gz"));
        assertThat(test).hasSize(6_700);
        assertThat(test).allSatisfy(p -> assertThat(p.target()).matches("[A-Z]+[0-2]?( [A-Z]+[0-2]?)*"));
        assertThat(Pairs.read(Path.of("../data/bible-es-en/test.tsv.gz"))).hasSize(1_312);
    }
}
