package dev.recur.data;

import dev.recur.tensor.InvalidOptionException;
/**
 * A token stream cut for truncated backpropagation through time, as in Zaremba et al. (2014): the stream is
 * split into B contiguous columns, and chunk c holds steps [c·k, c·k + k) of every column, so column b of chunk
 * c + 1 continues exactly where column b of chunk c ended and the recurrent state can be carried across.
 * <pre>
 * stream  a b c d e f g h i j k l m n        B = 2, k = 3
 * columns a b c d e f g | h i j k l m n
 * chunk 0 inputs [[a h] [b i] [c j]]  targets [[b i] [c j] [d k]]      time-major [T, B]
 * </pre>
 * The last chunk may be shorter. Tokens that do not fill a column evenly are dropped from the end.
 * <p>
 * With a stride s &lt; k (TBPTT(s, k), Williams &amp; Peng 1990) chunk c holds steps [c·s, c·s + k): windows overlap,
 * gradients reach back k steps, and the targets an earlier chunk already counted are {@link #IGNORE}d, so every
 * token is predicted once per pass. The state to carry into chunk c + 1 is the one after the first s steps of
 * chunk c ({@link Chunk#carry()}). With s = k (the default) this is the layout above.
 */
public final class StreamBatches {
    /** The target of a position that an earlier, overlapping chunk already counted (the loss's ignore index). */
    public static final int IGNORE = -100;

    private final int[] tokens;
    private final int batch, bptt, stride, columnLength, firstColumn;

    public StreamBatches(int[] tokens, int batch, int bptt) {
        this(tokens, batch, bptt, bptt);
    }

    /** Chunks of {@code bptt} steps starting every {@code stride} steps, 1 ≤ stride ≤ bptt. */
    public StreamBatches(int[] tokens, int batch, int bptt, int stride) {
        if (stride < 1 || stride > bptt) throw new InvalidOptionException("the chunk stride must be in [1, bptt=" + bptt + "], got " + stride);
        if (batch < 1) throw new InvalidOptionException("batch must be at least 1, got " + batch);
        if (bptt < 1) throw new InvalidOptionException("bptt must be at least 1, got " + bptt);
        if (tokens.length < 2 * batch) {
            throw new InvalidDataException("the text has " + tokens.length + " tokens, too few for " + batch
                    + " streams; use a longer text or a smaller --batch");
        }
        this.tokens = tokens;
        this.batch = batch;
        this.bptt = bptt;
        this.stride = stride;
        this.columnLength = tokens.length / batch;
        this.firstColumn = 0;
    }

    private StreamBatches(StreamBatches whole, int firstColumn, int batch) {
        this.tokens = whole.tokens;
        this.batch = batch;
        this.bptt = whole.bptt;
        this.stride = whole.stride;
        this.columnLength = whole.columnLength;
        this.firstColumn = whole.firstColumn + firstColumn;
    }

    /**
     * Part {@code part} of {@code parts}: the B / parts columns from column part · B / parts on, cut in the same
     * chunks, so that chunk c of the parts side by side is chunk c of the whole. B must divide among the parts.
     */
    public StreamBatches part(int part, int parts) {
        if (parts < 1 || part < 0 || part >= parts) throw new IllegalArgumentException("part " + part + " of " + parts);
        if (batch % parts != 0) throw new InvalidOptionException(batch + " streams do not divide among " + parts + " parts");
        int each = batch / parts;
        return new StreamBatches(this, part * each, each);
    }

    /** The number of chunks in one pass over the stream. */
    public int chunks() {
        int targets = columnLength - 1;
        return targets <= bptt ? 1 : 1 + (targets - bptt + stride - 1) / stride;
    }

    /** Tokens predicted in one pass (B · (column length − 1)). */
    public long targetsPerPass() {
        return (long) batch * (columnLength - 1);
    }

    public int batch() {
        return batch;
    }

    /** Chunk {@code c}: inputs and targets, time-major [T, B], T = k except perhaps for the last chunk. */
    public Chunk chunk(int c) {
        if (c < 0 || c >= chunks()) throw new IndexOutOfBoundsException("chunk " + c + " of " + chunks());
        int start = c * stride;
        int steps = Math.min(bptt, columnLength - 1 - start);
        int counted = c == 0 ? 0 : Math.max(0, (c - 1) * stride + bptt - start);   // leading steps counted before
        int[] inputs = new int[steps * batch], targets = new int[steps * batch];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int at = (firstColumn + b) * columnLength + start + t;
                inputs[t * batch + b] = tokens[at];
                targets[t * batch + b] = t < counted ? IGNORE : tokens[at + 1];
            }
        }
        return new Chunk(inputs, targets, steps, batch, Math.min(stride, steps));
    }

    /**
     * One chunk: {@code inputs[t·B + b]} and the token that follows it, {@code targets[t·B + b]} ({@link #IGNORE}
     * where an earlier chunk counted it); the state after the first {@code carry} steps continues in the next chunk.
     */
    public record Chunk(int[] inputs, int[] targets, int steps, int batch, int carry) {}
}
