package dev.recur.task.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Functional;
import dev.recur.autograd.Variable;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.Dropout;
import dev.recur.nn.Embedding;
import dev.recur.nn.Lengths;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Token sequences to recurrent features, shared by the classifier and the tagger: token embedding (a word
 * vocabulary with an unknown symbol, or characters), optionally joined by a character encoder per word (a BiLSTM
 * over the word's characters whose two final states are concatenated with the word's embedding: words never
 * seen in training still get a representation), dropout, then a stacked (bi)directional LSTM/GRU over the
 * variable-length batch.
 * <pre>
 * x_t = [E_word[w_t] ; h→_chars(w_t) ; h←_chars(w_t)]      [T, B, embed + 2·charHidden]
 * outputs = RNN(dropout(x), lengths)                       [T, B, D·H], zero past each sequence's length
 * </pre>
 * Parameters: {@code embedding.weight}, {@code chars.embedding.weight} and {@code chars.rnn.*} (character encoder),
 * {@code rnn.*} (PyTorch's names). Padding never changes a result: a sequence encodes the same alone and in a
 * padded batch.
 * <pre>
 * var encoder = new TextEncoder(config, words, chars, new Rng(1));
 * TextEncoder.Encoded e = encoder.forward(List.of(List.of("The", "cat"), List.of("Dogs", "bark", "loudly")));
 * </pre>
 */
public final class TextEncoder extends Module {
    /** Characters of a word beyond this many are not read by the character encoder. */
    public static final int MAX_WORD_CHARS = 30;

    private final EncoderConfig config;
    private final Vocabulary words, chars;
    private final Embedding embedding;
    private final Embedding charEmbedding;
    private final Recurrent charRnn;
    private final Dropout dropout;
    private final Recurrent rnn;

    /** {@code chars} may be null without a character encoder. Draws initial weights and dropout masks from {@code rng}. */
    public TextEncoder(EncoderConfig config, Vocabulary words, Vocabulary chars, Rng rng) {
        this.config = config;
        this.words = words;
        this.chars = config.charEmbed() > 0 ? chars : null;
        this.embedding = register("embedding", new Embedding(words.size(), config.embed(), rng));
        if (config.charEmbed() > 0) {
            var charModule = register("chars", new CharEncoder(chars.size(), config, rng));
            this.charEmbedding = charModule.embedding;
            this.charRnn = charModule.rnn;
        } else {
            this.charEmbedding = null;
            this.charRnn = null;
        }
        this.dropout = register("drop", new Dropout(config.dropout(), rng));
        var rc = RecurrentConfig.of(config.cell(), config.inputSize(), config.hidden()).withLayers(config.layers())
                .withDirections(config.directions()).withDropout(config.layers() > 1 ? config.dropout() : 0f);
        this.rnn = register("rnn", Recurrent.of(rc, rng));
    }

    /** The character encoder's parameters under "chars.": its embedding and its BiLSTM. */
    private static final class CharEncoder extends Module {
        final Embedding embedding;
        final Recurrent rnn;

        CharEncoder(int size, EncoderConfig config, Rng rng) {
            embedding = register("embedding", new Embedding(size, config.charEmbed(), rng));
            rnn = register("rnn", Recurrent.of(RecurrentConfig.lstm(config.charEmbed(), config.charHidden()).withDirections(2), rng));
        }
    }

    /** Outputs [T, B, D·H] of a batch, zero past each sequence's length, and its lengths. */
    public record Encoded(Variable outputs, Lengths lengths) {
        public int steps() {
            return outputs.value().dim(0);
        }

        public int batch() {
            return outputs.value().dim(1);
        }
    }

    /** Encodes a batch of token sequences (each non-empty), row b of the outputs being sequence b. */
    public Encoded forward(List<List<String>> batch) {
        int b = batch.size(), t = 0;
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = batch.get(i).size();
            if (lengths[i] == 0) throw new IllegalArgumentException("sequence " + i + " of the batch is empty");
            t = Math.max(t, lengths[i]);
        }
        // Token ids, time-major [T·B]; padded positions read id 0, whose outputs the recurrent stack zeroes.
        int[] ids = new int[t * b];
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < lengths[i]; s++) ids[s * b + i] = wordId(batch.get(i).get(s));
        }
        Variable x = embedding.forward(ids, t, b);
        if (charRnn != null) x = Functional.concat(2, x, characterFeatures(batch, t, b));
        Lengths lens = Lengths.of(lengths);
        Variable outputs = rnn.forward(dropout.forward(x), lens, null).output();
        return new Encoded(dropout.forward(outputs), lens);
    }

    /**
     * Both final states of the character BiLSTM for each distinct word of the batch, placed at the word's
     * positions: [T, B, 2·charHidden], zeros at padding.
     */
    private Variable characterFeatures(List<List<String>> batch, int t, int b) {
        var index = new HashMap<String, Integer>();
        var distinct = new ArrayList<String>();
        int[] position = new int[t * b];   // 0: padding, else 1 + the word's index in distinct
        for (int i = 0; i < b; i++) {
            List<String> seq = batch.get(i);
            for (int s = 0; s < seq.size(); s++) {
                String w = seq.get(s);
                Integer k = index.get(w);
                if (k == null) {
                    k = distinct.size();
                    index.put(w, k);
                    distinct.add(w);
                }
                position[s * b + i] = k + 1;
            }
        }
        int n = distinct.size(), c = 1;
        int[] wordLengths = new int[n];
        for (int k = 0; k < n; k++) {
            wordLengths[k] = Math.max(1, Math.min(MAX_WORD_CHARS, distinct.get(k).codePointCount(0, distinct.get(k).length())));
            c = Math.max(c, wordLengths[k]);
        }
        int[] charIds = new int[c * n];   // time-major over the characters of each word
        for (int k = 0; k < n; k++) {
            int[] cps = distinct.get(k).codePoints().limit(MAX_WORD_CHARS).toArray();
            for (int j = 0; j < cps.length; j++) charIds[j * n + k] = chars.id(new String(cps, j, 1));
        }
        Variable h = charRnn.forward(charEmbedding.forward(charIds, c, n), Lengths.of(wordLengths), null).state().h();   // [2, N, Hc]
        int hc = config.charHidden();
        Variable perWord = Functional.concat(1, h.slice(0, 0, 1).reshape(n, hc), h.slice(0, 1, 2).reshape(n, hc));
        Variable table = Functional.concat(0, Variable.of(Tensor.zeros(1, 2 * hc)), perWord);
        return Functional.embedding(table, position, t, b);
    }

    /**
     * Runs {@code run} over {@code sequences} in batches of at most {@code batch}, longest first, so that each
     * batch pads little, and returns its results in the order of {@code sequences}.
     */
    public static <R> List<R> byLength(List<List<String>> sequences, int batch, java.util.function.Function<List<List<String>>, List<R>> run) {
        return byLength(sequences, List::size, batch, run);
    }

    /** {@link #byLength(List, int, java.util.function.Function)} for any items, {@code length} giving each one's length. */
    public static <T, R> List<R> byLength(List<T> items, java.util.function.ToIntFunction<T> length, int batch,
                                          java.util.function.Function<List<T>, List<R>> run) {
        Integer[] order = new Integer[items.size()];
        java.util.Arrays.setAll(order, i -> i);
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(length.applyAsInt(items.get(b)), length.applyAsInt(items.get(a))));
        var results = new ArrayList<R>(java.util.Collections.nCopies(items.size(), (R) null));
        for (int from = 0; from < order.length; from += batch) {
            int to = Math.min(order.length, from + batch);
            var part = new ArrayList<T>(to - from);
            for (int i = from; i < to; i++) part.add(items.get(order[i]));
            List<R> out = run.apply(part);
            for (int i = from; i < to; i++) results.set(order[i], out.get(i - from));
        }
        return results;
    }

    /** The word vocabulary's id of {@code token} (lower-cased when the configuration says so); 0 when unknown. */
    public int wordId(String token) {
        return words.id(config.lowercase() ? token.toLowerCase(Locale.ROOT) : token);
    }

    /** True when {@code token} is in the word vocabulary. */
    public boolean knows(String token) {
        return words.contains(config.lowercase() ? token.toLowerCase(Locale.ROOT) : token);
    }

    public EncoderConfig config() {
        return config;
    }

    public Vocabulary words() {
        return words;
    }

    /** Splits a text into this encoder's tokens. */
    public List<String> tokens(String text) {
        return tokens(config, text);
    }

    /** Splits a text into the tokens of an encoder with {@code config}: words (line breaks dropped) or characters. */
    public static List<String> tokens(EncoderConfig config, String text) {
        List<String> all = config.tokens().split(text);
        return config.tokens() == Tokenizer.WORD ? all.stream().filter(w -> !w.equals("\n")).toList() : all;
    }

    /** Writes the configuration and vocabularies into {@code c} under "encoder". */
    public void write(ObjectNode c) {
        ObjectNode e = c.putObject("encoder");
        config.write(e);
        words.symbols().forEach(e.putArray("words")::add);
        if (chars != null) chars.symbols().forEach(e.putArray("chars")::add);
    }

    /** An encoder with the configuration and vocabularies {@link #write} stored. */
    public static TextEncoder read(JsonNode c, Rng rng) {
        JsonNode e = c.get("encoder");
        EncoderConfig config = EncoderConfig.read(e);
        return new TextEncoder(config, vocabulary(e.get("words")), e.has("chars") ? vocabulary(e.get("chars")) : null, rng);
    }

    private static Vocabulary vocabulary(JsonNode symbols) {
        var list = new ArrayList<String>();
        symbols.forEach(s -> list.add(s.asText()));
        return Vocabulary.of(list);
    }

    /**
     * The vocabularies of a training set: words (lower-cased if configured; seen at least {@code minCount} times;
     * at most {@code maxWords}, 0 = all) and, with a character encoder, characters (seen at least twice).
     */
    public static Map<String, Vocabulary> vocabularies(EncoderConfig config, List<List<String>> training, int maxWords, int minCount) {
        var all = new ArrayList<String>();
        var letters = new ArrayList<String>();
        for (List<String> seq : training) {
            for (String w : seq) {
                all.add(config.lowercase() ? w.toLowerCase(Locale.ROOT) : w);
                if (config.charEmbed() > 0) w.codePoints().limit(MAX_WORD_CHARS).forEach(cp -> letters.add(new String(Character.toChars(cp))));
            }
        }
        var result = new HashMap<String, Vocabulary>();
        result.put("words", Vocabulary.build(all, maxWords, config.tokens() == Tokenizer.WORD ? minCount : 1));
        if (config.charEmbed() > 0) result.put("chars", Vocabulary.build(letters, 0, 2));
        return result;
    }

    @Override
    public String toString() {
        return "TextEncoder(" + config.describe() + ", " + words.size() + " words" + (chars != null ? ", " + chars.size() + " characters" : "") + ")";
    }
}
