package dev.recur.data;

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
 */
public final class StreamBatches {
    private final int[] tokens;
    private final int batch, bptt, columnLength;

    public StreamBatches(int[] tokens, int batch, int bptt) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        if (bptt < 1) throw new IllegalArgumentException("bptt must be at least 1, got " + bptt);
        if (tokens.length < 2 * batch) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, too few for " + batch
                    + " streams; use a longer text or a smaller --batch");
        }
        this.tokens = tokens;
        this.batch = batch;
        this.bptt = bptt;
        this.columnLength = tokens.length / batch;
    }

    /** The number of chunks in one pass over the stream. */
    public int chunks() {
        return (columnLength - 1 + bptt - 1) / bptt;
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
        int start = c * bptt;
        int steps = Math.min(bptt, columnLength - 1 - start);
        int[] inputs = new int[steps * batch], targets = new int[steps * batch];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                int at = b * columnLength + start + t;
                inputs[t * batch + b] = tokens[at];
                targets[t * batch + b] = tokens[at + 1];
            }
        }
        return new Chunk(inputs, targets, steps, batch);
    }

    /** One chunk: {@code inputs[t·B + b]} and the token that follows it, {@code targets[t·B + b]}. */
    public record Chunk(int[] inputs, int[] targets, int steps, int batch) {}
}
