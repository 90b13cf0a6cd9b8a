package dev.recur.task.score;

/**
 * Where chunks start and end between two adjacent tags, by the rules of conlleval (Tjong Kim Sang's CoNLL-2000
 * evaluation script, version 2004-01-26: its subroutines startOfChunk and endOfChunk), extended for BIOES as the
 * Python port conlleval.py does. A tag splits at its first hyphen into a prefix and a type ("B-AM-TMP": "B", "AM-TMP");
 * a tag without one is all prefix with the empty type ("O": "O", ""). Before a sentence and after it stands "O".
 * <p>
 * The script's rules cover IOB1, IOB2, IOE1, IOE2 and the bracket tags "[" and "]" at once. It has no rule for "S",
 * and it lets "E-X B-X" continue one chunk; the Python port adds that "E" and "S" always end a chunk and "B" and "S"
 * always start one. That changes nothing for tags of B, I and O (IOB1, IOB2) or of I, E and O (IOE1, IOE2), and
 * reads BIOES as intended.
 * <pre>
 * Chunks.start("O", "I", "", "NP")     // true: I after O starts a chunk (IOB1)
 * Chunks.end("B", "I", "NP", "VP")     // true: the type changed
 * </pre>
 */
final class Chunks {
    private Chunks() {}

    /** The part of a tag before its first hyphen, or the whole tag. */
    static String prefix(String tag) {
        int dash = tag.indexOf('-');
        return dash < 0 ? tag : tag.substring(0, dash);
    }

    /** The part of a tag after its first hyphen, or "". */
    static String type(String tag) {
        int dash = tag.indexOf('-');
        return dash < 0 ? "" : tag.substring(dash + 1);
    }

    /** Whether a chunk ended between a word tagged {@code prevTag}-{@code prevType} and the next, {@code tag}-{@code type}. */
    static boolean end(String prevTag, String tag, String prevType, String type) {
        boolean end = prevTag.equals("E") || prevTag.equals("S");                       // BIOES, as conlleval.py
        end |= prevTag.equals("B") && (tag.equals("B") || tag.equals("S") || tag.equals("O"));
        end |= prevTag.equals("I") && (tag.equals("B") || tag.equals("S") || tag.equals("O"));
        end |= !prevTag.equals("O") && !prevTag.equals(".") && !prevType.equals(type);
        end |= prevTag.equals("]") || prevTag.equals("[");                              // chunks of length 1
        return end;
    }

    /** Whether a chunk started between a word tagged {@code prevTag}-{@code prevType} and the next, {@code tag}-{@code type}. */
    static boolean start(String prevTag, String tag, String prevType, String type) {
        boolean start = tag.equals("B") || tag.equals("S");                             // B after B, I, O in conlleval
        start |= (prevTag.equals("E") || prevTag.equals("S") || prevTag.equals("O")) && (tag.equals("E") || tag.equals("I"));
        start |= !tag.equals("O") && !tag.equals(".") && !prevType.equals(type);
        start |= tag.equals("[") || tag.equals("]");                                    // chunks of length 1
        return start;
    }
}
