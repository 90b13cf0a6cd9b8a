package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllTest {
    @TempDir
    Path dir;

    @Test
    void readsSentencesBetweenBlankLinesSkippingDocstart() throws IOException {
        List<Conll.Sentence> s = Conll.read(CsvTest.fixture("ner.conll"));
        assertThat(s).hasSize(3);
        assertThat(s.get(0).tokens()).containsExactly("EU", "rejects", "German");
        assertThat(s.get(0).tags()).containsExactly("B-ORG", "O", "B-MISC");
        assertThat(s.get(1).tokens()).containsExactly("Peter", "Blackburn");
        assertThat(s.get(2).tags()).containsExactly("B-LOC");
        assertThat(s).extracting(Conll.Sentence::line).containsExactly(3L, 8L, 13L);
        assertThat(s.get(1).error("unknown tag").getMessage()).endsWith("ner.conll:8: unknown tag");
    }

    @Test
    void theCallerPicksTheColumns() throws IOException {
        List<Conll.Sentence> chunks = Conll.read(CsvTest.fixture("ner.conll"), StandardCharsets.UTF_8, 0, 2);
        assertThat(chunks.get(0).tags()).containsExactly("B-NP", "B-VP", "B-NP");
        List<Conll.Sentence> pos = Conll.parse("x\tA B\tNN\ty\n", -3, 2);   // tab-separated: a token may hold a space
        assertThat(pos.get(0).tokens()).containsExactly("A B");
        assertThat(pos.get(0).tags()).containsExactly("NN");
        assertThatThrownBy(() -> Conll.parse("\nEU NNP\n", 0, 2))
                .hasMessage("<text>:2: has 2 columns; there is no tag column 2 (columns count from 0, −1 is the last)");
    }

    @Test
    void inconsistentColumnCountsAreErrorsAtTheirLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.conll"), "-DOCSTART- O\n\nEU NNP B-ORG\r\nrejects VBZ O\r\n\r\nGerman B-MISC\r\n");
        assertThatThrownBy(() -> Conll.read(bad)).isInstanceOf(InvalidDataException.class)
                .hasMessageEndingWith("bad.conll:6: expected 3 columns (as on line 3), got 2");
        assertThatThrownBy(() -> Conll.parse("a\tB\nb\tI\textra\n", 0, -1))
                .hasMessage("<text>:2: expected 2 tab-separated columns (as on line 1), got 3");
    }

    @Test
    void aFileWithoutTokensHasNoSentences() {
        assertThat(Conll.parse("", 0, -1)).isEmpty();
        assertThat(Conll.parse("-DOCSTART- -X- O\n\n  \n", 0, -1)).isEmpty();
        assertThat(Conll.parse("a O\n-DOCSTART- -X- O\nb O", 0, -1)).extracting(Conll.Sentence::size).containsExactly(1, 1);
    }
}
