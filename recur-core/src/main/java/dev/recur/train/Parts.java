package dev.recur.train;

import java.util.function.Function;

/**
 * Parts of a batch of rows (examples, windows), for {@link TrainingTask#trainBatch(long, int, int)} of the tasks whose
 * batch is a set of rows and whose loss a mean over them: part k of W takes the rows at positions k, k + W, k + 2W, ...
 * of the batch. Strided rather than in blocks, so that the parts of a batch sorted by length (a bucketed batch,
 * longest first) get rows of similar lengths and similar cost.
 * <pre>
 * public Batch trainBatch(long index, int part, int parts) {
 *     return Parts.train(sampler.batch(index), part, parts, this::trainRows);
 * }
 * </pre>
 */
public final class Parts {
    private Parts() {}

    /** The rows of part {@code part} of {@code parts}: {@code rows[part], rows[part + parts], ...}; {@code rows} itself for one part. */
    public static int[] of(int[] rows, int part, int parts) {
        if (parts < 1 || part < 0 || part >= parts) throw new IllegalArgumentException("part " + part + " of " + parts);
        if (parts == 1) return rows;
        int[] mine = new int[Math.max(0, (rows.length - part + parts - 1) / parts)];
        for (int i = 0; i < mine.length; i++) mine[i] = rows[part + i * parts];
        return mine;
    }

    /**
     * Trains part {@code part} of {@code parts} of the batch {@code rows} with {@code trainRows}, which trains a set
     * of rows as the whole batch is trained and returns a {@link TrainingTask.Batch} whose weight is its loss's
     * denominator; an empty part is not trained (loss, items and weight 0, no gradient).
     */
    public static TrainingTask.Batch train(int[] rows, int part, int parts, Function<int[], TrainingTask.Batch> trainRows) {
        int[] mine = of(rows, part, parts);
        return mine.length == 0 ? new TrainingTask.Batch(0, 0, 0) : trainRows.apply(mine);
    }
}
