package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BucketSamplerTest {
    private static int[] randomLengths(int n, long seed) {
        var rng = new SplittableRandom(seed);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) lengths[i] = 1 + rng.nextInt(60);
        return lengths;
    }

    @Test
    void everyExampleAppearsExactlyOncePerEpoch() {
        int[] lengths = randomLengths(1003, 1);
        var sampler = BucketSampler.shuffled(lengths, 16, 42, 4);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<int[]> batches = sampler.epoch(epoch);
            assertThat(batches).hasSize(sampler.batches()).hasSize(63);
            int[] seen = new int[lengths.length];
            int small = 0;
            for (int[] batch : batches) {
                for (int i : batch) seen[i]++;
                if (batch.length < 16) small++;
            }
            assertThat(seen).as("epoch %d", epoch).containsOnly(1);
            assertThat(small).isEqualTo(1);   // 1003 = 62 · 16 + 11
        }
    }

    @Test
    void sameSeedAndEpochGiveTheSameBatchesWhateverCameBefore() {
        int[] lengths = randomLengths(500, 2);
        var a = BucketSampler.shuffled(lengths, 8, 7);
        var b = BucketSampler.shuffled(lengths, 8, 7);
        String first = text(a.epoch(3));
        b.epoch(0);
        b.epoch(5);
        assertThat(text(b.epoch(3))).isEqualTo(first);
        assertThat(text(a.epoch(3))).isEqualTo(first);
        assertThat(text(a.epoch(4))).isNotEqualTo(first);
        assertThat(text(BucketSampler.shuffled(lengths, 8, 8).epoch(3))).isNotEqualTo(first);
    }

    @Test
    void batchesHoldSimilarLengthsLongestFirstAndComeInShuffledOrder() {
        int[] lengths = randomLengths(2000, 3);
        List<int[]> batches = BucketSampler.shuffled(lengths, 20, 1).epoch(0);   // one pool of 100 batches
        long padded = 0, paddedRandom = 0;
        int[] firstOfBatch = new int[batches.size()];
        for (int k = 0; k < batches.size(); k++) {
            int[] batch = batches.get(k);
            for (int j = 1; j < batch.length; j++) assertThat(lengths[batch[j]]).isLessThanOrEqualTo(lengths[batch[j - 1]]);
            padded += padding(lengths, batch);
            paddedRandom += padding(lengths, Arrays.copyOfRange(shuffledIndices(2000, 9), k * 20, k * 20 + 20));
            firstOfBatch[k] = lengths[batch[0]];
        }
        assertThat(padded * 10).isLessThan(paddedRandom);          // 60 lengths in 100 batches: under a tenth of random batching
        assertThat(isSortedDescending(firstOfBatch)).isFalse();    // the batch order itself is shuffled
    }

    @Test
    void inOrderKeepsTheExamplesOrderEveryEpoch() {
        var sampler = BucketSampler.inOrder(new int[] {3, 1, 4, 1, 5}, 2);
        assertThat(text(sampler.epoch(0))).isEqualTo("[[0, 1], [2, 3], [4]]");
        assertThat(text(sampler.epoch(7))).isEqualTo("[[0, 1], [2, 3], [4]]");
    }

    @Test
    void refusesEmptyExamplesAndBadSizes() {
        assertThatThrownBy(() -> BucketSampler.shuffled(new int[] {2, 0, 3}, 2, 1))
                .isInstanceOf(InvalidDataException.class).hasMessageStartingWith("example 1: empty (length 0)");
        assertThatThrownBy(() -> BucketSampler.inOrder(new int[] {2}, 0)).hasMessageContaining("batch size must be at least 1, got 0");
        assertThat(BucketSampler.shuffled(new int[0], 4, 1).epoch(0)).isEmpty();
    }

    private static String text(List<int[]> batches) {
        return Arrays.deepToString(batches.toArray(new int[0][]));
    }

    private static long padding(int[] lengths, int[] batch) {
        int max = 0;
        long sum = 0;
        for (int i : batch) {
            max = Math.max(max, lengths[i]);
            sum += lengths[i];
        }
        return (long) max * batch.length - sum;
    }

    private static int[] shuffledIndices(int n, long seed) {
        var list = new ArrayList<Integer>();
        for (int i = 0; i < n; i++) list.add(i);
        java.util.Collections.shuffle(list, new java.util.Random(seed));
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean isSortedDescending(int[] a) {
        for (int i = 1; i < a.length; i++) if (a[i] > a[i - 1]) return false;
        return true;
    }
}
