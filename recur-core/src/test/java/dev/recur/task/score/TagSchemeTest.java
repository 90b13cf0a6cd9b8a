package dev.recur.task.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scheme names, detection, and the allowed transitions. The expected matrices are AllenNLP's
 * {@code allowed_transitions} for the same labels (constraint types "BIO", "IOB1" and "BIOUL", the last with L for E
 * and U for S), laid out one row per "from" tag, then the start row; each row lists the "to" tags in order and last
 * whether the tag may end a sentence.
 */
class TagSchemeTest {
    static final List<String> BIO_TAGS = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
    static final List<String> BIOES_TAGS = List.of("O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "E-LOC");

    /** One line per tag: its allowed successors as 1 and 0, then its end bit; then "start" and the start row. */
    static String render(Transitions t) {
        var sb = new StringBuilder();
        boolean[][] allowed = t.allowed();
        for (int i = 0; i < allowed.length; i++) sb.append(bits(allowed[i])).append(' ').append(t.allowedEnd(i) ? 1 : 0).append('\n');
        return sb.append("start ").append(bits(t.allowedStart())).append('\n').toString();
    }

    static String bits(boolean[] row) {
        var sb = new StringBuilder();
        for (boolean b : row) sb.append(b ? '1' : '0');
        return sb.toString();
    }

    @Test
    void bioForbidsEnteringAChunkButByItsBeginning() {
        var t = TagScheme.BIO.transitions(BIO_TAGS);
        assertThat(render(t)).isEqualTo("""
                11010 1
                11110 1
                11110 1
                11011 1
                11011 1
                start 11010
                """);
        assertThat(t.allowed(0, 2)).as("O → I-PER").isFalse();
        assertThat(t.allowed(1, 4)).as("B-PER → I-LOC").isFalse();
        assertThat(t.allowedStart(2)).as("start → I-PER").isFalse();
        assertThat(t.allows(1, 2, 0, 3, 4)).isTrue();
        assertThat(t.toString()).isEqualTo("BIO transitions over 5 tags; forbidden: start → I-PER, start → I-LOC, O → I-PER, O → I-LOC, "
                + "B-PER → I-LOC, I-PER → I-LOC, B-LOC → I-PER, I-LOC → I-PER");
    }

    @Test
    void iobAllowsIAnywhereAndBOnlyAfterItsType() {
        assertThat(render(TagScheme.IOB.transitions(BIO_TAGS))).isEqualTo("""
                10101 1
                11101 1
                11101 1
                10111 1
                10111 1
                start 10101
                """);
    }

    @Test
    void bioesAlsoConstrainsTheEnds() {
        var t = TagScheme.BIOES.transitions(BIOES_TAGS);
        assertThat(render(t)).isEqualTo("""
                1100110 1
                0011000 0
                0011000 0
                1100110 1
                1100110 1
                0000001 0
                1100110 1
                start 1100110
                """);
        assertThat(t.allows(1, 2, 3, 0, 4, 5, 6)).isTrue();   // B-PER I-PER E-PER O S-PER B-LOC E-LOC
        assertThat(t.allows(1, 2)).as("ends inside a chunk").isFalse();
    }

    @Test
    void plainTagsAllowEverything() {
        var t = TagScheme.NONE.transitions(List.of("NN", "VBZ", "-LRB-", ""));
        assertThat(render(t)).isEqualTo("""
                1111 1
                1111 1
                1111 1
                1111 1
                start 1111
                """);
    }

    @Test
    void theSchemesOwnExampleSentencesAreAllowed() {
        // The sentence of TagScheme's Javadoc, "Mr Alan Smith met Ann in New York", in each scheme.
        assertAllowed(TagScheme.BIO, "O B-PER I-PER O B-PER O B-LOC I-LOC");
        assertAllowed(TagScheme.IOB, "O I-PER I-PER O I-PER O I-LOC I-LOC");
        assertAllowed(TagScheme.IOB, "I-PER B-PER O");   // two adjacent chunks of one type
        assertAllowed(TagScheme.BIOES, "O B-PER E-PER O S-PER O B-LOC E-LOC");
    }

    static void assertAllowed(TagScheme scheme, String sentence) {
        List<String> tags = List.of(sentence.split(" "));
        List<String> names = tags.stream().distinct().toList();
        int[] path = tags.stream().mapToInt(names::indexOf).toArray();
        assertThat(scheme.transitions(names).allows(path)).as(scheme + ": " + sentence).isTrue();
    }

    @Test
    void aTagOutsideTheSchemeIsRejected() {
        assertThatThrownBy(() -> TagScheme.BIO.transitions(List.of("O", "E-PER")))
                .hasMessage("tag \"E-PER\" does not fit BIO: expected O or B, I with a hyphen and a type, e.g. B-PER");
        assertThatThrownBy(() -> TagScheme.BIOES.transitions(List.of("B-")))
                .hasMessage("tag \"B-\" does not fit BIOES: expected O or B, I, E, S with a hyphen and a type, e.g. B-PER");
    }

    @Test
    void parsesNamesAndTheirSynonyms() {
        assertThat(List.of("bio", "IOB2", "iob", "iob1", "BIOES", "iobes", "none", "plain")).map(TagScheme::parse)
                .containsExactly(TagScheme.BIO, TagScheme.BIO, TagScheme.IOB, TagScheme.IOB, TagScheme.BIOES, TagScheme.BIOES,
                        TagScheme.NONE, TagScheme.NONE);
        assertThatThrownBy(() -> TagScheme.parse("bilou"))
                .hasMessage("unknown tag scheme \"bilou\"; expected bio (iob2), iob (iob1), bioes (iobes) or none");
    }

    @Test
    void detectsTheSchemeOfACorpus() {
        assertThat(TagScheme.detect(List.of(List.of("B-PER", "I-PER", "O"), List.of("B-AM-TMP", "B-LOC")))).isEqualTo(TagScheme.BIO);
        assertThat(TagScheme.detect(List.of(List.of("B-PER", "I-PER"), List.of("O", "I-LOC")))).isEqualTo(TagScheme.IOB);
        assertThat(TagScheme.detect(List.of(List.of("I-PER", "B-PER")))).isEqualTo(TagScheme.IOB);     // first in its sentence
        assertThat(TagScheme.detect(List.of(List.of("B-PER", "I-LOC")))).isEqualTo(TagScheme.IOB);     // after another type
        assertThat(TagScheme.detect(List.of(List.of("O", "S-PER"), List.of("B-LOC", "E-LOC")))).isEqualTo(TagScheme.BIOES);
        assertThat(TagScheme.detect(List.of(List.of("DT", "NN", "VBZ", "O")))).isEqualTo(TagScheme.NONE);
        assertThat(TagScheme.detect(List.of(List.of("B-PER", "NN")))).isEqualTo(TagScheme.NONE);      // a plain tag among chunk tags
        assertThat(TagScheme.detect(List.of(List.of("O", "O")))).isEqualTo(TagScheme.NONE);
        assertThat(TagScheme.detect(List.of())).isEqualTo(TagScheme.NONE);
        assertThat(TagScheme.NONE.hasSpans()).isFalse();
        assertThat(TagScheme.IOB.hasSpans()).isTrue();
    }
}
