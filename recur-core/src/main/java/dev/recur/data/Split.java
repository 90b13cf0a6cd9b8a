package dev.recur.data;

import dev.recur.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Example indices cut into train, validation and test, each part in ascending order. {@link #shuffled} draws a
 * permutation from the seed alone, so the same size and seed give the same split in any run; the test part is the
 * end of the permutation, so changing the validation fraction leaves the test set as it was. {@link #last} keeps
 * the order, for time series: the test set is the last examples, validation the ones before.
 * <pre>
 * Split split = Split.shuffled(examples.size(), 0.1, 0.1, 42);   // 80% train, 10% validation, 10% test
 * List&lt;Example&gt; train = Split.select(examples, split.train());
 * Split.last(1000, 100, 100);                                    // train 0..799, valid 800..899, test 900..999
 * </pre>
 *
 * @param train [N − V − S] indices of the training examples
 * @param valid [V] indices of the validation examples
 * @param test  [S] indices of the test examples
 */
public record Split(int[] train, int[] valid, int[] test) {

    /**
     * A random split of {@code size} examples: round(size · validFraction) for validation, round(size ·
     * testFraction) for test, the rest (at least one) for training.
     */
    public static Split shuffled(int size, double validFraction, double testFraction, long seed) {
        checkFraction("validFraction", validFraction);
        checkFraction("testFraction", testFraction);
        int valid = (int) Math.round(size * validFraction), test = (int) Math.round(size * testFraction);
        int[] order = new int[size];
        Arrays.setAll(order, i -> i);
        BucketSampler.shuffle(order, new Rng(seed));
        return cut(order, valid, test);
    }

    /**
     * A split by a hash of each example's {@code keys} (its text, say): bucket = (first 8 bytes of the key's MD5,
     * unsigned) mod 100; buckets below 100·(1 − valid − test) train, then validation, then test. Duplicates land in
     * the same part, and an example keeps its part when others are added or removed. A part left empty that was
     * asked for takes the last training example.
     */
    public static Split hashed(List<String> keys, double validFraction, double testFraction) {
        checkFraction("validFraction", validFraction);
        checkFraction("testFraction", testFraction);
        long trainEnd = Math.round(100 * (1 - validFraction - testFraction)), validEnd = Math.round(100 * (1 - testFraction));
        var parts = List.of(new ArrayList<Integer>(), new ArrayList<Integer>(), new ArrayList<Integer>());
        for (int i = 0; i < keys.size(); i++) {
            long bucket = Long.remainderUnsigned(md5Prefix(keys.get(i)), 100);
            parts.get(bucket < trainEnd ? 0 : bucket < validEnd ? 1 : 2).add(i);
        }
        // A small set may hash nothing into a part it asks for: the last training example goes there instead.
        for (int part = 1; part <= 2; part++) {
            double fraction = part == 1 ? validFraction : testFraction;
            if (fraction > 0 && parts.get(part).isEmpty() && parts.get(0).size() > 1) parts.get(part).add(parts.get(0).remove(parts.get(0).size() - 1));
        }
        return new Split(ints(parts.get(0)), ints(parts.get(1)), ints(parts.get(2)));
    }

    private static long md5Prefix(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The first examples for training, the {@code valid} after them for validation, the last {@code test} for test. */
    public static Split last(int size, int valid, int test) {
        if (valid < 0 || test < 0) throw new IllegalArgumentException("valid and test must be ≥ 0, got " + valid + " and " + test);
        int[] order = new int[size];
        Arrays.setAll(order, i -> i);
        return cut(order, valid, test);
    }

    /** The items at {@code indices}, in that order. */
    public static <T> List<T> select(List<T> items, int[] indices) {
        var out = new ArrayList<T>(indices.length);
        for (int i : indices) out.add(items.get(i));
        return out;
    }

    private static Split cut(int[] order, int valid, int test) {
        int train = order.length - valid - test;
        if (train < 1) {
            throw new IllegalArgumentException(order.length + " examples leave " + train + " for training after " + valid
                    + " for validation and " + test + " for test");
        }
        return new Split(sorted(order, 0, train), sorted(order, train, train + valid), sorted(order, train + valid, order.length));
    }

    private static int[] sorted(int[] order, int from, int to) {
        int[] part = Arrays.copyOfRange(order, from, to);
        Arrays.sort(part);
        return part;
    }

    private static void checkFraction(String name, double f) {
        if (!(f >= 0 && f < 1)) throw new IllegalArgumentException(name + " must be in [0, 1), got " + f);
    }
}
