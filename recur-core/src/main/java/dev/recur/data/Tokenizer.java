package dev.recur.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into tokens and joins them back: {@link #CHAR} gives one token per Unicode code point;
 * {@link #WORD} gives words, numbers, single punctuation marks and line breaks, dropping other white space
 * (joined back with single spaces, no space before punctuation).
 */
public enum Tokenizer {
    CHAR {
        @Override
        public List<String> split(String text) {
            var tokens = new ArrayList<String>(text.length());
            text.codePoints().forEach(cp -> tokens.add(new String(Character.toChars(cp))));
            return tokens;
        }

        @Override
        public String join(List<String> tokens) {
            return String.join("", tokens);
        }
    },
    WORD {
        private final Pattern token = Pattern.compile("\\n|[\\p{L}\\p{M}\\p{N}]+(?:['’][\\p{L}]+)*|[^\\s]");

        @Override
        public List<String> split(String text) {
            var tokens = new ArrayList<String>();
            Matcher m = token.matcher(text);
            while (m.find()) tokens.add(m.group());
            return tokens;
        }

        @Override
        public String join(List<String> tokens) {
            var sb = new StringBuilder();
            for (String t : tokens) {
                boolean glue = sb.length() == 0 || t.equals("\n") || sb.charAt(sb.length() - 1) == '\n'
                        || (t.length() == 1 && ".,;:!?)]}'’”".contains(t));
                if (!glue) sb.append(' ');
                sb.append(t);
            }
            return sb.toString();
        }
    };

    public abstract List<String> split(String text);

    public abstract String join(List<String> tokens);

    /** Token ids of {@code text} under {@code vocabulary} (unknown tokens become 0). */
    public int[] encode(String text, Vocabulary vocabulary) {
        List<String> tokens = split(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocabulary.id(tokens.get(i));
        return ids;
    }
}
