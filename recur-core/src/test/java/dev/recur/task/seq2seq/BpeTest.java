package dev.recur.task.seq2seq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTest {

    @Test
    void learnsTheMostFrequentPairFirstAndStopsAtPairsSeenOnce() {
        // "low" ×3 and "lower": (l, o) 4 times, then (lo, w</w>) 3 times; every other pair once.
        Bpe bpe = Bpe.learn(List.of("low low low lower"), 10);
        assertThat(bpe.merges()).containsExactly("l o", "lo w</w>");
        assertThat(bpe.split("low lower")).containsExactly("low", "lo@@", "w@@", "e@@", "r");
        assertThat(bpe.split("slow")).containsExactly("s@@", "low");
    }

    @Test
    void joinRestoresTheTextAndStoredMergesSplitAlike() {
        var lines = List.of("el principio creó Dios los cielos y la tierra", "y la tierra estaba desordenada y vacía",
                "y dijo Dios sea la luz y fue la luz", "y vio Dios que la luz era buena");
        Bpe bpe = Bpe.learn(lines, 30);
        assertThat(bpe.size()).isBetween(1, 30);
        Bpe stored = Bpe.of(bpe.merges());
        for (String line : List.of(lines.get(0), "la tierra de los cielos", "palabras nuevas: xyz")) {
            List<String> pieces = bpe.split(line);
            assertThat(Bpe.join(pieces)).isEqualTo(line);
            assertThat(stored.split(line)).isEqualTo(pieces);
        }
        assertThat(bpe.split("la luz")).containsExactly("la", "luz");   // frequent words become one symbol
    }

    @Test
    void aMergeCountCapsTheMerges() {
        assertThat(Bpe.learn(List.of("aaaa bbbb aaaa bbbb abab"), 2).size()).isEqualTo(2);
        assertThat(Bpe.learn(List.of("a b c"), 5).size()).isZero();
    }

    @Test
    void unitsSplitAndJoinTheirSide() {
        var chars = new Unit.Side(Unit.CHAR, null);
        assertThat(chars.split("NEW YORK")).hasSize(8).contains(" ");
        assertThat(chars.join(chars.split("NEW YORK"))).isEqualTo("NEW YORK");
        var words = new Unit.Side(Unit.WORD, null);
        assertThat(words.split("  HH AH L OW ")).containsExactly("HH", "AH", "L", "OW");
        assertThat(Unit.choose(List.of("HELLO", "WORLD", "NEW YORK"), 2000)).isEqualTo(Unit.CHAR);
        assertThat(Unit.choose(List.of("HH AH L OW", "W ER L D"), 2000)).isEqualTo(Unit.WORD);
        assertThat(Unit.choose(List.of("a b c d e", "f g h i"), 5)).isEqualTo(Unit.BPE);
    }
}
