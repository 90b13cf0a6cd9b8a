package dev.recur.data;

import dev.recur.nn.Lengths;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Pads examples of different lengths into one time-major {@link Batch}, as PyTorch's {@code pad_sequence} with a
 * {@code collate_fn}: T is the longest example, rows stay in the order of the indices given, and each row remembers
 * its example. The recurrent layers take lengths in any order; a batch sorted longest first (as
 * {@link BucketSampler} gives them) is the cheapest, since each step's product stops at the last running row.
 * Collating the sources and the targets of a sequence-to-sequence data set with the same indices keeps their rows
 * together.
 * <pre>
 * var examples = List.of(Example.tagged(new int[] {5, 6, 7}, new int[] {1, 2, 1}), Example.tagged(new int[] {8}, new int[] {3}));
 * Batch b = new Collator().collate(examples, new int[] {0, 1});
 * // b.tokens() = [5, 8, 6, 0, 7, 0]   time-major, index t·B + b; padding is token 0
 * // b.tags()   = [1, 3, 2, −100, 1, −100]   b.lengths() = Lengths[3, 1]
 * </pre>
 * Every example of a batch must have the same parts (tokens, features of one width, tags) and at least one step; an
 * empty example is an {@link InvalidDataException} naming its index.
 */
public final class Collator {
    private final int padToken;

    /** Pads with token 0 (any id would do: padded steps are masked by the lengths). */
    public Collator() {
        this(0);
    }

    public Collator(int padToken) {
        this.padToken = padToken;
    }

    public int padToken() {
        return padToken;
    }

    /** All the examples, in order. */
    public Batch collate(List<Example> examples) {
        int[] all = new int[examples.size()];
        Arrays.setAll(all, i -> i);
        return collate(examples, all);
    }

    /** Examples {@code indices[0]}, {@code indices[1]}, ... as rows 0, 1, ... */
    public Batch collate(List<Example> examples, int[] indices) {
        int batch = indices.length;
        if (batch == 0) throw new IllegalArgumentException("a batch needs at least one example");
        Example[] rows = new Example[batch];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            int i = indices[b];
            if (i < 0 || i >= examples.size()) {
                throw new IndexOutOfBoundsException("example " + i + " is asked for, but there are " + examples.size());
            }
            rows[b] = examples.get(i);
            lengths[b] = requireSteps(i, rows[b].length());
            checkSameParts(rows[0], indices[0], rows[b], i);
        }
        int steps = Arrays.stream(lengths).max().getAsInt();
        Example first = rows[0];
        return new Batch(indices.clone(), Lengths.of(lengths),
                first.tokens() == null ? null : pad(rows, steps, padToken, Example::tokens),
                first.features() == null ? null : features(rows, steps, first.featureSize()),
                Arrays.stream(rows).mapToInt(Example::label).toArray(),
                first.tags() == null ? null : pad(rows, steps, StreamBatches.IGNORE, Example::tags));
    }

    /** {@code length}, if it is at least 1; else an error naming example {@code index}. */
    static int requireSteps(int index, int length) {
        if (length < 1) {
            throw InvalidDataException.in("example " + index, "empty (length " + length + "); every sequence needs at least one step. "
                    + "Leave out empty examples (e.g. blank lines) when reading the data");
        }
        return length;
    }

    private static void checkSameParts(Example a, int ia, Example b, int ib) {
        checkPart("tokens", a.tokens() != null, ia, b.tokens() != null, ib);
        checkPart("features", a.features() != null, ia, b.features() != null, ib);
        checkPart("tags", a.tags() != null, ia, b.tags() != null, ib);
        if (a.featureSize() != b.featureSize()) {
            throw new IllegalArgumentException("example " + ib + " has " + b.featureSize() + " features per step; example "
                    + ia + " in the same batch has " + a.featureSize());
        }
    }

    private static void checkPart(String part, boolean a, int ia, boolean b, int ib) {
        if (a != b) {
            throw new IllegalArgumentException("example " + (a ? ib : ia) + " has no " + part + " but example " + (a ? ia : ib)
                    + " in the same batch has; give every example " + part + ", or none");
        }
    }

    /** [T·B] time-major ids from each row's array, {@code fill} past its length. */
    private static int[] pad(Example[] rows, int steps, int fill, Function<Example, int[]> part) {
        int batch = rows.length;
        int[] out = new int[steps * batch];
        Arrays.fill(out, fill);
        for (int b = 0; b < batch; b++) {
            int[] ids = part.apply(rows[b]);
            for (int t = 0; t < ids.length; t++) out[t * batch + b] = ids[t];
        }
        return out;
    }

    /** [T, B, F] features, zero past each row's length. */
    private static Tensor features(Example[] rows, int steps, int width) {
        int batch = rows.length;
        float[] out = new float[steps * batch * width];
        for (int b = 0; b < batch; b++) {
            float[][] f = rows[b].features();
            for (int t = 0; t < f.length; t++) System.arraycopy(f[t], 0, out, (t * batch + b) * width, width);
        }
        return Tensor.of(out, steps, batch, width);
    }
}
