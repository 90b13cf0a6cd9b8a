package dev.recur.task.seq2seq;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What one symbol of a side of the pairs is: a character, a whitespace-separated word, or a BPE subword. A side
 * splits lines into its units and joins units back into a line.
 */
public enum Unit {
    /** Unicode code points; a space is a symbol of its own. */
    CHAR,
    /** Whitespace-separated words. */
    WORD,
    /** Byte-pair-encoded subwords of the words, learned on the training side. */
    BPE;

    public static Unit parse(String name, String option) {
        for (Unit u : values()) if (u.name().equalsIgnoreCase(name)) return u;
        throw new dev.recur.tensor.InvalidOptionException(option + " must be char, word, bpe or auto, got \"" + name + "\"");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A side's unit and, for BPE, its merges: it splits lines into symbols and joins them back. */
    public record Side(Unit unit, Bpe bpe) {
        public Side {
            if (unit == BPE && bpe == null) throw new IllegalArgumentException("a BPE side needs its merges");
        }

        public List<String> split(String line) {
            return switch (unit) {
                case CHAR -> {
                    var out = new ArrayList<String>();
                    line.strip().codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
                    yield out;
                }
                case WORD -> {
                    String s = line.strip();
                    yield s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+"));
                }
                case BPE -> bpe.split(line);
            };
        }

        public String join(List<String> symbols) {
            return switch (unit) {
                case CHAR -> String.join("", symbols);
                case WORD -> String.join(" ", symbols);
                case BPE -> Bpe.join(symbols);
            };
        }

        public String describe() {
            return unit == BPE ? "bpe (" + bpe.size() + " merges)" : unit.label();
        }
    }

    /**
     * The unit {@code auto} picks for a side from its training lines: characters when most lines are one word
     * (spelling, names), else BPE when the side has more than {@code bpeAbove} distinct words, else words.
     */
    /** True when most lines are one word (spelling, names, transliteration). */
    public static boolean mostlyOneWord(List<String> lines) {
        return lines.stream().filter(l -> !l.strip().contains(" ")).count() * 2 > lines.size();
    }

    public static Unit choose(List<String> lines, int bpeAbove) {
        if (mostlyOneWord(lines)) return CHAR;
        long distinct = lines.stream().flatMap(l -> Arrays.stream(l.strip().split("\\s+"))).distinct().count();
        return distinct > bpeAbove ? BPE : WORD;
    }
}
