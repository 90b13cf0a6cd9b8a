package dev.recur.data;

import dev.recur.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Yields each epoch's batches, as lists of example indices, with examples of similar length together so little of a
 * batch is padding (torchtext's {@code BucketIterator}, AllenNLP's bucket sampler). Shuffled: the examples are
 * shuffled, cut into pools of {@code poolBatches} batches, each pool sorted longest first (ties in shuffled order) and
 * cut into batches, and the order of all batches shuffled. Only the last batch of the last pool may be smaller.
 * Each batch comes longest first, the cheapest order for the recurrent layers. The batches of an epoch depend on the
 * lengths, the batch size, the seed and the epoch only: the same epoch gives the same batches in any run, in any
 * order of calls. In order ({@link #inOrder}, for evaluation): consecutive examples, in their order, every epoch.
 * <pre>
 * var sampler = BucketSampler.shuffled(lengths, 32, seed);
 * for (int[] indices : sampler.epoch(epoch)) train(collator.collate(examples, indices));
 * </pre>
 */
public final class BucketSampler {
    /** Pool size in batches, as torchtext's (100 · batch size examples). */
    public static final int POOL_BATCHES = 100;

    private final int[] lengths;
    private final int batchSize, poolBatches;
    private final long seed;
    private final boolean shuffle;
    private List<int[]> cached;   // the batches of epoch cachedEpoch, for batch(index)
    private int cachedEpoch = -1;

    private BucketSampler(int[] lengths, int batchSize, int poolBatches, long seed, boolean shuffle) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (poolBatches < 1) throw new IllegalArgumentException("a pool must hold at least 1 batch, got " + poolBatches);
        for (int i = 0; i < lengths.length; i++) Collator.requireSteps(i, lengths[i]);
        this.lengths = lengths.clone();
        this.batchSize = batchSize;
        this.poolBatches = poolBatches;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    /** Shuffled batches of similar length, {@link #POOL_BATCHES} batches to a pool; {@code lengths[i]} of example i. */
    public static BucketSampler shuffled(int[] lengths, int batchSize, long seed) {
        return shuffled(lengths, batchSize, seed, POOL_BATCHES);
    }

    /** As {@link #shuffled(int[], int, long)} with pools of {@code poolBatches} batches: 1 sorts least, more pads less. */
    public static BucketSampler shuffled(int[] lengths, int batchSize, long seed, int poolBatches) {
        return new BucketSampler(lengths, batchSize, poolBatches, seed, true);
    }

    /** Consecutive examples in their order, the same every epoch. */
    public static BucketSampler inOrder(int[] lengths, int batchSize) {
        return new BucketSampler(lengths, batchSize, 1, 0, false);
    }

    /** Batches per epoch: ⌈N / batch size⌉. */
    public int batches() {
        return (lengths.length + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /**
     * The examples of training batch {@code index}, counted from 0 across epochs: batch index mod
     * {@link #batches()} of epoch index / {@link #batches()}. The last epoch asked for is kept, so stepping
     * through batches builds each epoch once.
     */
    public int[] batch(long index) {
        int epoch = (int) (index / batches());
        if (cachedEpoch != epoch) {
            cached = epoch(epoch);
            cachedEpoch = epoch;
        }
        return cached.get((int) (index % batches()));
    }

    /** The batches of epoch {@code epoch} (from 0); each example appears in exactly one. */
    public List<int[]> epoch(int epoch) {
        int n = lengths.length;
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (!shuffle) return cut(order, 0, n);
        Rng rng = epochRng(seed, epoch);
        shuffle(order, rng);
        var batches = new ArrayList<int[]>(batches());
        int pool = poolBatches * batchSize;
        for (int from = 0; from < n; from += pool) {
            int to = Math.min(n, from + pool);
            sortLongestFirst(order, from, to);
            batches.addAll(cut(order, from, to));
        }
        shuffleBatches(batches, rng);
        return batches;
    }

    /** A generator for one epoch, from the seed and the epoch alone; epochs draw unrelated streams. */
    static Rng epochRng(long seed, int epoch) {
        return new Rng(seed ^ new Rng(epoch).nextLong()).split();
    }

    private void sortLongestFirst(int[] order, int from, int to) {
        Integer[] pool = new Integer[to - from];
        for (int i = from; i < to; i++) pool[i - from] = order[i];
        Arrays.sort(pool, (a, b) -> Integer.compare(lengths[b], lengths[a]));   // stable: ties keep the shuffled order
        for (int i = from; i < to; i++) order[i] = pool[i - from];
    }

    private List<int[]> cut(int[] order, int from, int to) {
        var out = new ArrayList<int[]>();
        for (int i = from; i < to; i += batchSize) out.add(Arrays.copyOfRange(order, i, Math.min(to, i + batchSize)));
        return out;
    }

    /** Fisher–Yates. */
    static void shuffle(int[] a, Rng rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void shuffleBatches(List<int[]> batches, Rng rng) {
        for (int i = batches.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            batches.set(j, batches.set(i, batches.get(j)));
        }
    }
}
