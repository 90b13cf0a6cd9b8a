package dev.recur.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
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
        public String spaced(int last, String token) {
            return token;
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
        public String spaced(int last, String token) {
            boolean glue = last == 0 || last == '\n' || token.equals("\n")
                    || (token.length() == 1 && ".,;:!?)]}'’”".contains(token));
            return glue ? token : " " + token;
        }
    };

    public abstract List<String> split(String text);

    /**
     * The text of {@code token} when it follows text ending in the character {@code last} (0 at the start): for
     * words, a space before it unless it is punctuation or a line break, or starts a line. {@link #join} one token at
     * a time, for text printed as it is generated.
     */
    public abstract String spaced(int last, String token);

    public String join(List<String> tokens) {
        var sb = new StringBuilder();
        UnaryOperator<String> spacer = spacer("");
        for (String t : tokens) sb.append(spacer.apply(t));
        return sb.toString();
    }

    /** {@link #spaced} with its memory: the text of each token in turn, following {@code before} (text already printed). */
    public UnaryOperator<String> spacer(String before) {
        int[] last = {before.isEmpty() ? 0 : before.charAt(before.length() - 1)};
        return token -> {
            String text = spaced(last[0], token);
            if (!text.isEmpty()) last[0] = text.charAt(text.length() - 1);
            return text;
        };
    }

    /** Token ids of {@code text} under {@code vocabulary} (unknown tokens become 0). */
    public int[] encode(String text, Vocabulary vocabulary) {
        List<String> tokens = split(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocabulary.id(tokens.get(i));
        return ids;
    }
}
