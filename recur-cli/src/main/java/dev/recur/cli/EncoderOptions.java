package dev.recur.cli;

import dev.recur.data.Tokenizer;
import dev.recur.nn.CellType;
import dev.recur.task.text.EncoderConfig;
import dev.recur.tensor.InvalidOptionException;
import picocli.CommandLine.Option;

/**
 * The text encoder's options, shared by {@code recur classify train} and {@code recur tag train}; each command
 * sets its own defaults with {@link #defaults}. Mixed in with {@code @Mixin}.
 */
public final class EncoderOptions {
    @Option(names = "--tokens", paramLabel = "word|char", description = "Word or character tokens (default: word).")
    public Tokenizer tokens;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Keep the N most frequent words; 0 = all (default: 50000).")
    public Integer vocabSize;

    @Option(names = "--min-count", paramLabel = "N",
            description = "Words seen fewer than N times in training read as unknown, so the unknown word is learned (default: 2).")
    public Integer minCount;

    @Option(names = "--embed", paramLabel = "N", description = "Token embedding size (default: 100).")
    public Integer embed;

    @Option(names = "--char-embed", paramLabel = "N",
            description = "Character embedding of a BiLSTM run over each word's characters, joined to its embedding; 0 = none.")
    public Integer charEmbed;

    @Option(names = "--char-hidden", paramLabel = "N", description = "Hidden units per direction of that character BiLSTM (default: 25).")
    public Integer charHidden;

    @Option(names = "--cell", paramLabel = "lstm|gru|rnn", description = "The recurrent cell (default: lstm).")
    public CellType cell;

    @Option(names = "--hidden", paramLabel = "N", description = "Hidden units per direction and layer.")
    public Integer hidden;

    @Option(names = "--layers", paramLabel = "N", description = "Stacked recurrent layers (default: 1).")
    public Integer layers;

    @Option(names = "--unidirectional", description = "Read forward only (default: both directions).")
    public boolean unidirectional;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout on the encoder's input, between layers and on its output.")
    public Float dropout;

    @Option(names = "--keep-case", description = "Keep words' case in the word vocabulary (default: lower-cased; the character encoder sees case).")
    public boolean keepCase;

    @Option(names = "--batch", paramLabel = "B", description = "Examples per batch (default: 32).")
    public Integer batch;

    /** Fills what the user left unset with a task's defaults. */
    public EncoderOptions defaults(int embed, int charEmbed, int hidden, float dropout) {
        if (tokens == null) tokens = Tokenizer.WORD;
        if (vocabSize == null) vocabSize = 50_000;
        if (minCount == null) minCount = 2;
        if (this.embed == null) this.embed = embed;
        if (this.charEmbed == null) this.charEmbed = tokens == Tokenizer.WORD ? charEmbed : 0;
        if (charHidden == null) charHidden = 25;
        if (cell == null) cell = CellType.LSTM;
        if (this.hidden == null) this.hidden = hidden;
        if (layers == null) layers = 1;
        if (this.dropout == null) this.dropout = dropout;
        if (batch == null) batch = 32;
        if (vocabSize < 0 || vocabSize == 1) throw new InvalidOptionException("--vocab-size must be 0 (no limit) or at least 2, got " + vocabSize);
        if (minCount < 1) throw new InvalidOptionException("--min-count must be at least 1, got " + minCount);
        if (batch < 1) throw new InvalidOptionException("--batch must be at least 1, got " + batch);
        return this;
    }

    /** The encoder configuration these options describe; a bad value names its option. */
    public EncoderConfig config() {
        try {
            return new EncoderConfig(tokens, embed, charEmbed, charHidden, cell, hidden, layers, unidirectional ? 1 : 2, dropout, !keepCase);
        } catch (InvalidOptionException e) {
            throw new InvalidOptionException("--" + e.getMessage());
        }
    }
}
