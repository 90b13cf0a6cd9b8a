package dev.recur.data;

/**
 * One sequence to batch: T token ids, or T steps of F features, or both (then of equal length); a label for the
 * whole sequence ({@link StreamBatches#IGNORE} when it has none) and optionally one tag per step. The arrays are
 * not copied.
 * <pre>
 * Example.labelled(new int[] {4, 17, 9}, 1);                   // a review with its class
 * Example.tagged(new int[] {4, 17, 9}, new int[] {0, 3, 0});   // a sentence with a tag per token
 * Example.series(new float[][] {{0.1f, 2}, {0.3f, 2}});        // two steps of two features
 * </pre>
 * An example of length 0 can be made (a reader may produce one) but not batched: {@link Collator} and
 * {@link BucketSampler} refuse it, naming its index.
 */
public record Example(int[] tokens, float[][] features, int label, int[] tags) {

    /** {@code tokens} and {@code features} may not both be null; {@code tags}, when given, has one entry per step. */
    public Example {
        if (tokens == null && features == null) throw new IllegalArgumentException("an example needs tokens or features");
        if (tokens != null && features != null && tokens.length != features.length) {
            throw new IllegalArgumentException("an example has " + tokens.length + " tokens but " + features.length + " feature steps");
        }
        int steps = tokens != null ? tokens.length : features.length;
        if (tags != null && tags.length != steps) {
            throw new IllegalArgumentException("an example has " + steps + " steps but " + tags.length + " tags");
        }
        if (features != null) {
            for (int t = 1; t < features.length; t++) {
                if (features[t].length != features[0].length) {
                    throw new IllegalArgumentException("step " + t + " of an example has " + features[t].length
                            + " features; step 0 has " + features[0].length);
                }
            }
        }
    }

    /** Token ids without a label. */
    public static Example of(int... tokens) {
        return new Example(tokens, null, StreamBatches.IGNORE, null);
    }

    /** Token ids with a class for the whole sequence. */
    public static Example labelled(int[] tokens, int label) {
        return new Example(tokens, null, label, null);
    }

    /** Token ids with a tag for each. */
    public static Example tagged(int[] tokens, int[] tags) {
        return new Example(tokens, null, StreamBatches.IGNORE, tags);
    }

    /** Steps of features [T][F] without a label. */
    public static Example series(float[][] features) {
        return new Example(null, features, StreamBatches.IGNORE, null);
    }

    /** Steps of features [T][F] with a class for the whole sequence. */
    public static Example series(float[][] features, int label) {
        return new Example(null, features, label, null);
    }

    /** This example with features [T][F] for its steps as well. */
    public Example withFeatures(float[][] features) {
        return new Example(tokens, features, label, tags);
    }

    /** The number of steps T. */
    public int length() {
        return tokens != null ? tokens.length : features.length;
    }

    /** F, the features per step; 0 without features or steps. */
    public int featureSize() {
        return features == null || features.length == 0 ? 0 : features[0].length;
    }
}
