package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.recur.autograd.GradCheck;
import dev.recur.autograd.GradCheck.Tolerance;
import dev.recur.autograd.NonFiniteException;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Checks against brute-force enumeration of all K^n paths (K = 3, n ≤ 4) and finite differences. */
class CrfTest {
    private static final Tolerance TOLERANCE = Tolerance.relative(1e-2).absolute(1e-3);
    private static final int K = 3, T = 4;
    private static final Lengths UNSORTED = Lengths.of(3, 1, 4, 2);   // not sorted by length; one of length 1

    @Test
    void partitionFunctionEqualsEnumeration() {
        var rng = new SplittableRandom(51);
        var crf = crf(rng);
        var e = Tensor.randn(rng, T, 4, K);
        double[] logZ = crf.logPartitions(e, UNSORTED);
        for (int b = 0; b < 4; b++) assertThat(logZ[b]).isCloseTo(BruteForce.logZ(crf, e, b, UNSORTED.get(b)), within(1e-9));
    }

    @Test
    void negativeLogLikelihoodIsMinusTheLogProbabilityOfTheGoldPath() {
        var rng = new SplittableRandom(52);
        var crf = crf(rng);
        var e = Tensor.randn(rng, T, 4, K);
        int[] tags = tags(rng, UNSORTED);
        double expected = 0;
        for (int b = 0; b < 4; b++) {
            int[] gold = new int[UNSORTED.get(b)];
            for (int t = 0; t < gold.length; t++) gold[t] = tags[t * 4 + b];
            expected += -Math.log(Math.exp(BruteForce.score(crf, e, b, gold)) / Math.exp(BruteForce.logZ(crf, e, b, gold.length)));
        }
        float nll = crf.negativeLogLikelihood(Variable.of(e), tags, UNSORTED).value().item();
        assertThat((double) nll).isCloseTo(expected / 4, within(1e-5));
    }

    @Test
    void largeEmissionsStayFinite() {
        var rng = new SplittableRandom(53);
        var crf = crf(rng);
        var e = Tensor.randn(rng, T, 4, K);
        for (int i = 0; i < e.size(); i++) e.data()[i] *= 1000;
        int[] tags = tags(rng, UNSORTED);
        double[] logZ = crf.logPartitions(e, UNSORTED);
        for (int b = 0; b < 4; b++) assertThat(logZ[b]).isCloseTo(BruteForce.logZ(crf, e, b, UNSORTED.get(b)), within(1e-6));
        assertThat(crf.negativeLogLikelihood(Variable.of(e), tags, UNSORTED).value().item()).isFinite();
    }

    @Test
    void viterbiEqualsTheBruteForceArgmax() {
        var rng = new SplittableRandom(54);
        for (int trial = 0; trial < 20; trial++) {
            var crf = crf(rng);
            var e = Tensor.randn(rng, T, 4, K);
            int[][] paths = crf.decode(e, UNSORTED);
            for (int b = 0; b < 4; b++) assertThat(paths[b]).containsExactly(BruteForce.best(crf, e, b, UNSORTED.get(b), null));
        }
    }

    @Test
    void constrainedViterbiEqualsTheBestAllowedPath() {
        var rng = new SplittableRandom(55);
        int changed = 0;
        for (int trial = 0; trial < 20; trial++) {
            var crf = crf(rng);
            var e = Tensor.randn(rng, T, 4, K);
            int[][] free = crf.decode(e, UNSORTED);
            // Forbid a transition the free best path of sequence 2 (length 4) uses, plus random others.
            boolean[][] allowed = new boolean[K][K];
            for (boolean[] row : allowed) for (int j = 0; j < K; j++) row[j] = rng.nextDouble() < 0.7;
            for (int i = 0; i < K; i++) allowed[i][i] = true;   // a constant path is always allowed
            allowed[free[2][1]][free[2][2]] = free[2][1] == free[2][2];
            boolean[] start = {true, rng.nextBoolean(), true}, end = {rng.nextBoolean(), true, true};
            var constraints = new Constraints(allowed, start, end);
            int[][] paths = crf.withConstraints(allowed, start, end).decode(e, UNSORTED);
            for (int b = 0; b < 4; b++) {
                assertThat(paths[b]).containsExactly(BruteForce.best(crf, e, b, UNSORTED.get(b), constraints));
                assertThat(constraints.allows(paths[b])).isTrue();
                if (!Arrays.equals(paths[b], free[b])) changed++;
            }
            assertThat(crf.withoutConstraints().decode(e, UNSORTED)).isDeepEqualTo(free);
        }
        assertThat(changed).as("paths the constraints changed").isGreaterThan(10);
    }

    @Test
    void constraintsDoNotChangeTheLikelihood() {
        var rng = new SplittableRandom(56);
        var crf = crf(rng);
        var e = Variable.of(Tensor.randn(rng, T, 4, K));
        int[] tags = tags(rng, UNSORTED);
        float free = crf.negativeLogLikelihood(e, tags, UNSORTED).value().item();
        boolean[][] none = new boolean[K][K];   // every transition forbidden: gold paths of length > 1 break them all
        for (int i = 0; i < K; i++) none[i][i] = true;
        crf.withConstraints(none, new boolean[] {true, false, false}, null);
        assertThat(crf.negativeLogLikelihood(e, tags, UNSORTED).value().item()).isEqualTo(free);
        for (int[] path : crf.decode(e.value(), UNSORTED)) assertThat(path).containsOnly(0);
        assertThat(crf).hasToString("Crf(3 tags, constrained)");
    }

    @Test
    void negativeLogLikelihoodMatchesFiniteDifferences() {
        var rng = new SplittableRandom(57);
        var crf = crf(rng);
        var e = Variable.parameter(Tensor.randn(rng, T, 4, K));
        int[] tags = tags(rng, UNSORTED);
        GradCheck.of(() -> crf.negativeLogLikelihood(e, tags, UNSORTED))
                .withRespectTo("emissions", e).withRespectTo(crf.namedParameters()).assertMatches(TOLERANCE);
        int[] full = tags(rng, Lengths.full(T, 4));
        GradCheck.of(() -> crf.negativeLogLikelihood(e, full, null))
                .withRespectTo("emissions", e).withRespectTo(crf.namedParameters()).assertMatches(TOLERANCE);
    }

    @Test
    void sequencesOfOneStepMatchEnumerationAndFiniteDifferences() {
        var rng = new SplittableRandom(58);
        var crf = crf(rng);
        var lengths = Lengths.of(1, 1, 1);
        var e = Variable.parameter(Tensor.randn(rng, 2, 3, K));   // the second step is padding throughout
        int[] tags = {2, 0, 1, -100, -100, -100};
        double expected = 0;
        for (int b = 0; b < 3; b++) expected += BruteForce.logZ(crf, e.value(), b, 1) - BruteForce.score(crf, e.value(), b, new int[] {tags[b]});
        assertThat((double) crf.negativeLogLikelihood(e, tags, lengths).value().item()).isCloseTo(expected / 3, within(1e-5));
        for (int b = 0; b < 3; b++) assertThat(crf.decode(e.value(), lengths)[b]).containsExactly(BruteForce.best(crf, e.value(), b, 1, null));
        GradCheck.of(() -> crf.negativeLogLikelihood(e, tags, lengths))
                .withRespectTo("emissions", e).withRespectTo(crf.namedParameters()).assertMatches(TOLERANCE);
        var loss = crf.negativeLogLikelihood(e, tags, lengths);
        loss.backward();
        assertThat(e.grad().select(1).toArray()).containsOnly(0f);
        assertThat(crf.transitions().grad().toArray()).containsOnly(0f);   // no sequence has a transition
    }

    @Test
    void parametersFollowPytorchCrf() {
        var crf = new Crf(5, new SplittableRandom(59));
        assertThat(crf.namedParameters().keySet()).containsExactly("start_transitions", "end_transitions", "transitions");
        assertThat(crf.transitions().shape()).containsExactly(5, 5);
        assertThat(crf.startTransitions().shape()).containsExactly(5);
        for (Variable p : crf.parameters()) assertThat(AttentionPoolingTest.maxAbs(p)).isLessThanOrEqualTo(0.1f);
        assertThat(crf).hasToString("Crf(5 tags)");
    }

    @Test
    void badInputIsNamed() {
        var crf = new Crf(K, new SplittableRandom(60));
        var e = Variable.of(Tensor.zeros(T, 2, K));
        assertThatThrownBy(() -> crf.negativeLogLikelihood(e, new int[7], Lengths.of(4, 2)))
                .hasMessage("Crf(3 tags): 7 tags for emissions [4, 2, 3]; expected 8, one per step and sequence, time-major (t·B + b)");
        int[] tags = {0, 1, 2, -100, 1, -100, 0, -100};   // -100 at step 1 of sequence 1, inside its length 2
        assertThatThrownBy(() -> crf.negativeLogLikelihood(e, tags, Lengths.of(4, 2)))
                .hasMessageStartingWith("Crf(3 tags): tag -100 at step 1 of sequence 1 (position 3 of the time-major tags) is outside [0, 3)");
        assertThatThrownBy(() -> crf.decode(Tensor.zeros(T, 2, 4), null))
                .hasMessage("Crf(3 tags): decode got emissions of shape [4, 2, 4]; expected [T, B, 3], time-major");
        assertThatThrownBy(() -> crf.withConstraints(new boolean[K][2], null, null))
                .hasMessage("Crf(3 tags): allowed[0] has 2 entries; expected 3");
        var nan = Tensor.zeros(T, 2, K);
        nan.set(Float.NaN, 1, 0, 2);
        assertThatThrownBy(() -> crf.decode(nan, null)).isInstanceOf(NonFiniteException.class)
                .hasMessage("Crf(3 tags): emissions hold NaN at [1, 0, 2]; they were produced by the caller");
    }

    @Test
    void decodingWithNoAllowedPathFails() {
        var crf = new Crf(K, new SplittableRandom(61));
        boolean[][] noTransitions = new boolean[K][K];
        crf.withConstraints(noTransitions, null, null);
        assertThat(crf.decode(Tensor.zeros(1, 1, K), null)[0]).hasSize(1);   // one step needs no transition
        assertThatThrownBy(() -> crf.decode(Tensor.zeros(T, 2, K), Lengths.of(1, 2)))
                .hasMessage("Crf(3 tags, constrained): no path of length 2 (sequence 1) satisfies the constraints;"
                        + " check allowedStart, allowedEnd and allowed");
    }

    /** A CRF with parameters of order 1 (rather than 0.1), so transitions matter in every test. */
    private static Crf crf(SplittableRandom rng) {
        var crf = new Crf(K, rng);
        for (Variable p : crf.parameters()) p.value().copyFrom(Tensor.randn(rng, p.shape()));
        return crf;
    }

    /** Random gold tags [T·B], time-major, with −100 past each length. */
    private static int[] tags(SplittableRandom rng, Lengths lengths) {
        int batch = lengths.size(), steps = lengths.max();
        int[] tags = new int[steps * batch];
        for (int t = 0; t < steps; t++) for (int b = 0; b < batch; b++) tags[t * batch + b] = t < lengths.get(b) ? rng.nextInt(K) : -100;
        return tags;
    }

    record Constraints(boolean[][] allowed, boolean[] start, boolean[] end) {
        boolean allows(int[] path) {
            if (!start[path[0]] || !end[path[path.length - 1]]) return false;
            for (int t = 1; t < path.length; t++) if (!allowed[path[t - 1]][path[t]]) return false;
            return true;
        }
    }

    /** Enumerates all K^n paths of one sequence, in double. */
    static final class BruteForce {
        static double score(Crf crf, Tensor e, int b, int[] path) {
            double s = (double) crf.startTransitions().value().at(path[0]) + crf.endTransitions().value().at(path[path.length - 1]);
            for (int t = 0; t < path.length; t++) s += e.get(t, b, path[t]);
            for (int t = 1; t < path.length; t++) s += crf.transitions().value().get(path[t - 1], path[t]);
            return s;
        }

        static double logZ(Crf crf, Tensor e, int b, int n) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int[] path : paths(n)) max = Math.max(max, score(crf, e, b, path));
            for (int[] path : paths(n)) sum += Math.exp(score(crf, e, b, path) - max);
            return max + Math.log(sum);
        }

        /** The highest-scoring path, among those the constraints allow when given. */
        static int[] best(Crf crf, Tensor e, int b, int n, Constraints constraints) {
            int[] best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int[] path : paths(n)) {
                if (constraints != null && !constraints.allows(path)) continue;
                double s = score(crf, e, b, path);
                if (s > bestScore) {
                    bestScore = s;
                    best = path;
                }
            }
            return best;
        }

        static List<int[]> paths(int n) {
            var all = new ArrayList<int[]>();
            int count = (int) Math.pow(K, n);
            for (int code = 0; code < count; code++) {
                int[] path = new int[n];
                for (int t = 0, c = code; t < n; t++, c /= K) path[t] = c % K;
                all.add(path);
            }
            return all;
        }
    }
}
