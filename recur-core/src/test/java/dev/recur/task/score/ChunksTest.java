package dev.recur.task.score;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * startOfChunk and endOfChunk over every pair of prefixes, as truth tables: one row per previous prefix, one column per
 * current prefix in the order O B I E S [ ] ., 1 where a chunk starts (ends) between them. Chunk tags carry the type X,
 * or Y after a type change; "O" carries none. The expected tables were printed by the functions themselves:
 * conlleval.py's start_of_chunk and end_of_chunk, which Chunks follows, and conlleval's (Perl, 2004-01-26)
 * startOfChunk and endOfChunk, which agree with them on B, I, O and on I, E, O.
 */
class ChunksTest {
    static final String PREFIXES = "OBIES[].";

    /** The table of {@link Chunks#start} (or end) when the type stays X, or changes from X to Y. */
    static String table(boolean start, boolean sameType) {
        var sb = new StringBuilder();
        for (char p : PREFIXES.toCharArray()) {
            sb.append(p).append(' ');
            for (char t : PREFIXES.toCharArray()) {
                String prevType = p == 'O' ? "" : "X", type = t == 'O' ? "" : sameType ? "X" : "Y";
                String prev = String.valueOf(p), tag = String.valueOf(t);
                sb.append((start ? Chunks.start(prev, tag, prevType, type) : Chunks.end(prev, tag, prevType, type)) ? '1' : '0');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static final String PY_START_SAME = """
            O 01111110
            B 01001110
            I 01001110
            E 01111110
            S 01111110
            [ 01001110
            ] 01001110
            . 01001110
            """;
    static final String PY_END_SAME = """
            O 00000000
            B 11001000
            I 11001000
            E 11111111
            S 11111111
            [ 11111111
            ] 11111111
            . 00000000
            """;
    static final String PERL_START_SAME = """
            O 01111110
            B 01000110
            I 01000110
            E 00110110
            S 00000110
            [ 00000110
            ] 00000110
            . 00000110
            """;
    static final String PERL_END_SAME = """
            O 00000000
            B 11000000
            I 11000000
            E 10110000
            S 10000000
            [ 11111111
            ] 11111111
            . 00000000
            """;

    @Test
    void sameTypeMatchesConllevalPy() {
        assertThat(table(true, true)).isEqualTo(PY_START_SAME);
        assertThat(table(false, true)).isEqualTo(PY_END_SAME);
    }

    @Test
    void aTypeChangeStartsAndEndsEveryChunkTag() {
        // Both scripts print the same here: every chunk prefix starts a chunk after a type change, and ends one but O and ".".
        assertThat(table(true, false)).isEqualTo("""
                O 01111110
                B 01111110
                I 01111110
                E 01111110
                S 01111110
                [ 01111110
                ] 01111110
                . 01111110
                """);
        assertThat(table(false, false)).isEqualTo("""
                O 00000000
                B 11111111
                I 11111111
                E 11111111
                S 11111111
                [ 11111111
                ] 11111111
                . 00000000
                """);
    }

    @Test
    void agreesWithThePerlScriptOnIobAndIoeTags() {
        for (String subset : new String[] {"OBI", "OIE"}) {
            assertThat(restrict(table(true, true), subset)).as("start, " + subset).isEqualTo(restrict(PERL_START_SAME, subset));
            assertThat(restrict(table(false, true), subset)).as("end, " + subset).isEqualTo(restrict(PERL_END_SAME, subset));
        }
        assertThat(PY_START_SAME).isNotEqualTo(PERL_START_SAME);   // they differ on S and on E-X B-X
    }

    /** The rows and columns of a table for the given prefixes only. */
    static String restrict(String table, String prefixes) {
        var sb = new StringBuilder();
        for (String row : table.split("\n")) {
            if (prefixes.indexOf(row.charAt(0)) < 0) continue;
            for (char t : prefixes.toCharArray()) sb.append(row.charAt(2 + PREFIXES.indexOf(t)));
            sb.append('\n');
        }
        return sb.toString();
    }
}
