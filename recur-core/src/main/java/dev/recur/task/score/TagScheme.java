package dev.recur.task.score;

import java.util.List;
import java.util.Locale;

/**
 * How a tag set marks chunks (Ramshaw and Marcus; Tjong Kim Sang and Veenstra's names in brackets). A chunk tag is a
 * prefix, a hyphen and a type, "B-PER"; "O" is outside every chunk.
 * <pre>
 *              Mr   Alan  Smith  met  Ann    in   New    York
 * BIO (IOB2)   O    B-PER I-PER  O    B-PER  O    B-LOC  I-LOC     every chunk starts with B
 * IOB (IOB1)   O    I-PER I-PER  O    I-PER  O    I-LOC  I-LOC     B only where a chunk follows one of its type
 * BIOES        O    B-PER E-PER  O    S-PER  O    B-LOC  E-LOC     E ends a longer chunk, S is a chunk of one
 * NONE         plain tags without chunks, such as part-of-speech tags (NN, VBZ)
 * </pre>
 * The scheme decides which tag may follow which in a CRF's constrained decoding ({@link #transitions}); scores read all
 * three the same way, by conlleval's rules ({@link SpanScores}).
 * <pre>
 * TagScheme.detect(sentences)                              // IOB for CoNLL-2003's original files, BIO for IOB2 copies
 * TagScheme.parse("iobes")                                 // BIOES
 * TagScheme.BIO.transitions(List.of("O", "B-PER", "I-PER"))   // O → I-PER forbidden
 * </pre>
 */
public enum TagScheme {
    /** Plain tags: no chunks, every transition allowed. */
    NONE(""),
    /** IOB2: B-X begins every chunk of type X, I-X continues it. */
    BIO("BI"),
    /** IOB1: I-X throughout a chunk; B-X begins a chunk only right after another chunk of type X. */
    IOB("BI"),
    /** B-X begins a chunk of two or more tokens, I-X continues it, E-X ends it; S-X is a chunk of one token. */
    BIOES("BIES");

    private final String prefixes;   // the letters that may stand before the hyphen

    TagScheme(String prefixes) {
        this.prefixes = prefixes;
    }

    /**
     * The scheme by name, ignoring case: none (or plain), bio (iob2), iob (iob1), bioes (iobes).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static TagScheme parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none", "plain" -> NONE;
            case "bio", "iob2" -> BIO;
            case "iob", "iob1" -> IOB;
            case "bioes", "iobes" -> BIOES;
            default -> throw new IllegalArgumentException(
                    "unknown tag scheme \"" + name + "\"; expected bio (iob2), iob (iob1), bioes (iobes) or none");
        };
    }

    /**
     * The scheme of a tagged corpus: BIOES if any tag begins E- or S-; IOB if a chunk begins with I-X (first in its
     * sentence, after O, or after a chunk of another type); BIO if every chunk begins with B-. NONE when some tag is
     * neither "O" nor a prefix B, I, E or S with a hyphen and a type, or when every tag is "O".
     * <pre>
     * TagScheme.detect(List.of(List.of("B-NP", "I-NP", "O")))     // BIO
     * TagScheme.detect(List.of(List.of("I-NP", "B-NP", "O")))     // IOB
     * TagScheme.detect(List.of(List.of("DT", "NN", "VBZ")))       // NONE
     * </pre>
     */
    public static TagScheme detect(List<? extends List<String>> sentences) {
        boolean chunks = false, endOrSingle = false, startsWithI = false;
        for (List<String> tags : sentences) {
            String prev = "O";
            for (String tag : tags) {
                if (!tag.equals("O")) {
                    if (!BIOES.fits(tag)) return NONE;
                    chunks = true;
                    endOrSingle |= tag.startsWith("E-") || tag.startsWith("S-");
                    boolean continues = (prev.startsWith("B-") || prev.startsWith("I-")) && sameType(prev, tag);
                    startsWithI |= tag.startsWith("I-") && !continues;
                }
                prev = tag;
            }
        }
        return !chunks ? NONE : endOrSingle ? BIOES : startsWithI ? IOB : BIO;
    }

    /** Whether the scheme marks chunks: all but NONE. */
    public boolean hasSpans() {
        return this != NONE;
    }

    /**
     * Which tag may follow which, and which may begin and end a sentence, in this scheme — AllenNLP's
     * {@code allowed_transitions} (its BIOUL being BIOES). For any types X and Y, only these are allowed:
     * <pre>
     * BIO     start → O, B-X      any tag → O, B-Y                   B-X, I-X → I-X        any tag → end
     * IOB     start → O, I-X      any tag → O, I-Y                   B-X, I-X → B-X        any tag → end
     * BIOES   start → O, B-X, S-X    O, E-X, S-X → O, B-Y, S-Y       B-X, I-X → I-X, E-X   O, E-X, S-X → end
     * NONE    everything
     * </pre>
     * Example: under BIO, O → I-PER, B-PER → I-LOC and start → I-PER are forbidden.
     *
     * @param tags the tag names by index, e.g. a tag vocabulary
     * @throws IllegalArgumentException when a tag does not fit the scheme, e.g. "E-PER" under BIO
     */
    public Transitions transitions(List<String> tags) {
        for (String tag : tags) {
            if (this != NONE && !fits(tag))
                throw new IllegalArgumentException("tag \"" + tag + "\" does not fit " + this + ": expected O or "
                        + String.join(", ", prefixes.split("")) + " with a hyphen and a type, e.g. B-PER");
        }
        int n = tags.size();
        var allowed = new boolean[n][n];
        var start = new boolean[n];
        var end = new boolean[n];
        for (int i = 0; i < n; i++) {
            start[i] = mayStart(tags.get(i));
            end[i] = mayEnd(tags.get(i));
            for (int j = 0; j < n; j++) allowed[i][j] = mayFollow(tags.get(i), tags.get(j));
        }
        return new Transitions(this, tags, allowed, start, end);
    }

    /** Whether {@code tag} is "O", or one of this scheme's prefixes, a hyphen and a type. */
    boolean fits(String tag) {
        return tag.equals("O") || tag.length() > 2 && tag.charAt(1) == '-' && prefixes.indexOf(tag.charAt(0)) >= 0;
    }

    // The three rules below see tags that fit the scheme: "O" or a prefix letter, a hyphen and a type.

    private boolean mayStart(String to) {
        if (this == NONE) return true;
        char t = to.charAt(0);
        return switch (this) {
            case NONE -> true;
            case BIO -> t == 'O' || t == 'B';
            case IOB -> t == 'O' || t == 'I';
            case BIOES -> t == 'O' || t == 'B' || t == 'S';
        };
    }

    private boolean mayEnd(String from) {
        if (this != BIOES) return true;
        char f = from.charAt(0);
        return f == 'O' || f == 'E' || f == 'S';
    }

    private boolean mayFollow(String from, String to) {
        if (this == NONE) return true;
        char f = from.charAt(0), t = to.charAt(0);
        boolean continues = (f == 'B' || f == 'I') && sameType(from, to);   // to may go on with from's chunk
        return switch (this) {
            case NONE -> true;
            case BIO -> t == 'O' || t == 'B' || t == 'I' && continues;
            case IOB -> t == 'O' || t == 'I' || t == 'B' && continues;
            case BIOES -> f == 'B' || f == 'I' ? (t == 'I' || t == 'E') && continues : t == 'O' || t == 'B' || t == 'S';
        };
    }

    private static boolean sameType(String a, String b) {
        return Chunks.type(a).equals(Chunks.type(b));
    }
}
