package dev.recur.nn;

import dev.recur.autograd.NonFiniteException;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A linear-chain conditional random field over K tags, the output layer of a sequence tagger, as pytorch-crf's
 * {@code CRF} and AllenNLP's {@code ConditionalRandomField}. A path y over a sequence of n steps with emissions
 * E [T, B, K] (e.g. a Linear layer over recurrent outputs) scores
 * <pre>
 * score(y) = start_transitions[y_0] + Σ_{t&lt;n} E[t, y_t] + Σ_{1≤t&lt;n} transitions[y_{t−1}, y_t] + end_transitions[y_{n−1}]
 * p(y | E) = e^score(y) / Z,   Z = Σ_{y'} e^score(y')   (all K^n paths, summed by the forward algorithm)
 * </pre>
 * Parameters, in pytorch-crf's order and names: {@code start_transitions} [K], {@code end_transitions} [K] and
 * {@code transitions} [K, K] (from tag i, the row, to tag j), each from U(−0.1, 0.1).
 * {@link #negativeLogLikelihood} is the loss, one node on the tape with a hand-derived backward
 * (docs/derivations/crf.md); {@link #decode} finds each sequence's best path by Viterbi, optionally under
 * constraints ({@link #withConstraints}) that apply to decoding only.
 * <pre>
 * var crf = new Crf(tagCount, rng);                                             // Crf(9 tags)
 * var emissions = toTags.forward(lstm.forward(x, batch.lengths(), null).output());   // [T, B, K]
 * var loss = crf.negativeLogLikelihood(emissions, batch.tags(), batch.lengths());
 * loss.backward();
 * int[][] predicted = crf.decode(emissions.value(), batch.lengths());            // one path per sequence
 * </pre>
 */
public final class Crf extends Module {
    private final int numTags;
    private final Variable startTransitions;   // [K]
    private final Variable endTransitions;     // [K]
    private final Variable transitions;        // [K, K], from i to j
    private boolean[][] allowed;               // [K][K] for decoding; null: every transition allowed
    private boolean[] allowedStart;            // [K]
    private boolean[] allowedEnd;              // [K]

    public Crf(int numTags, RandomGenerator rng) {
        if (numTags <= 0) throw new IllegalArgumentException("Crf: numTags must be positive, got " + numTags);
        this.numTags = numTags;
        this.startTransitions = register("start_transitions", Tensor.uniform(rng, -0.1f, 0.1f, numTags));
        this.endTransitions = register("end_transitions", Tensor.uniform(rng, -0.1f, 0.1f, numTags));
        this.transitions = register("transitions", Tensor.uniform(rng, -0.1f, 0.1f, numTags, numTags));
    }

    public int numTags() {
        return numTags;
    }

    public Variable startTransitions() {
        return startTransitions;
    }

    public Variable endTransitions() {
        return endTransitions;
    }

    public Variable transitions() {
        return transitions;
    }

    /**
     * Restricts {@link #decode} to paths whose every transition i → j has {@code allowed[i][j]} (K×K), whose first
     * tag has {@code allowedStart} and whose last tag has {@code allowedEnd} ([K] each; null allows every tag), as
     * AllenNLP's {@code constraints} (e.g. no O → I-PER in BIO tagging). The likelihood ignores them, so gold data
     * with a transition the constraints forbid still trains. Copies the arrays and returns this CRF.
     */
    public Crf withConstraints(boolean[][] allowed, boolean[] allowedStart, boolean[] allowedEnd) {
        if (allowed == null || allowed.length != numTags) {
            throw new IllegalArgumentException(this + ": allowed has " + (allowed == null ? "no" : allowed.length)
                    + " rows; expected " + numTags + " (K×K, from tag i to tag j)");
        }
        boolean[][] copy = new boolean[numTags][];
        for (int i = 0; i < numTags; i++) copy[i] = checkedCopy("allowed[" + i + "]", allowed[i]);
        boolean[] first = allowedStart == null ? all() : checkedCopy("allowedStart", allowedStart);
        boolean[] last = allowedEnd == null ? all() : checkedCopy("allowedEnd", allowedEnd);
        this.allowed = copy;
        this.allowedStart = first;
        this.allowedEnd = last;
        return this;
    }

    /** Lifts the decoding constraints; returns this CRF. */
    public Crf withoutConstraints() {
        allowed = null;
        allowedStart = null;
        allowedEnd = null;
        return this;
    }

    /** True when {@link #withConstraints} restricts decoding. */
    public boolean constrained() {
        return allowed != null;
    }

    /**
     * The mean over the batch's sequences of −log p(gold path | emissions) = log Z − score(gold), differentiable
     * with respect to the emissions and all three parameters; as pytorch-crf's {@code -crf(emissions, tags, mask,
     * reduction='mean')}. {@code emissions} [T, B, K] are time-major; {@code tags} [T·B] are time-major too (the tag
     * of step t of sequence b at t·B + b), and entries past a sequence's length are ignored (e.g. a {@code Batch}'s
     * −100 padding); {@code lengths} may come in any order (null: all T).
     */
    public Variable negativeLogLikelihood(Variable emissions, int[] tags, Lengths lengths) {
        Lengths len = check("negativeLogLikelihood", emissions.value(), lengths);
        int steps = emissions.value().dim(0), batch = emissions.value().dim(1);
        if (batch == 0) {
            throw new IllegalArgumentException(this + ": emissions " + emissions.value().shapeString()
                    + " hold no sequences; the mean over none is undefined");
        }
        if (tags.length != steps * batch) {
            throw new IllegalArgumentException(this + ": " + tags.length + " tags for emissions " + emissions.value().shapeString()
                    + "; expected " + steps * batch + ", one per step and sequence, time-major (t·B + b)");
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len.get(b); t++) {
                int tag = tags[t * batch + b];
                if (tag < 0 || tag >= numTags) {
                    throw new IllegalArgumentException(this + ": tag " + tag + " at step " + t + " of sequence " + b
                            + " (position " + (t * batch + b) + " of the time-major tags) is outside [0, " + numTags
                            + "); only steps past a sequence's length may hold padding");
                }
            }
        }
        requireFinite(emissions.value(), emissions.origin());
        return new CrfLikelihood(emissions, startTransitions, endTransitions, transitions, tags, len.values()).output();
    }

    /**
     * The highest-scoring path of every sequence, by Viterbi: {@code paths[b]} holds sequence b's n_b tags. Under
     * {@link #withConstraints constraints} the best allowed path; throws when a sequence has none.
     */
    public int[][] decode(Tensor emissions, Lengths lengths) {
        Lengths len = check("decode", emissions, lengths);
        requireFinite(emissions, "the caller");
        double[] start = CrfLikelihood.doubles(startTransitions), end = CrfLikelihood.doubles(endTransitions);
        double[] trans = CrfLikelihood.doubles(transitions);
        if (allowed != null) {
            for (int i = 0; i < numTags; i++) {
                if (!allowedStart[i]) start[i] = Double.NEGATIVE_INFINITY;
                if (!allowedEnd[i]) end[i] = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < numTags; j++) if (!allowed[i][j]) trans[i * numTags + j] = Double.NEGATIVE_INFINITY;
            }
        }
        int[][] paths = new int[len.size()][];
        for (int b = 0; b < paths.length; b++) {
            paths[b] = CrfViterbi.bestPath(emissions, b, len.get(b), start, end, trans);
            if (paths[b] == null) {
                throw new IllegalArgumentException(this + ": no path of length " + len.get(b) + " (sequence " + b
                        + ") satisfies the constraints; check allowedStart, allowedEnd and allowed");
            }
        }
        return paths;
    }

    /** log Z of every sequence, by the forward algorithm; for tests. */
    double[] logPartitions(Tensor emissions, Lengths lengths) {
        Lengths len = check("logPartitions", emissions, lengths);
        double[] alpha = new double[emissions.size()];
        return CrfLikelihood.forwardAlgorithm(emissions, len.values(), CrfLikelihood.doubles(startTransitions),
                CrfLikelihood.doubles(endTransitions), CrfLikelihood.doubles(transitions), alpha);
    }

    @Override
    public String toString() {
        return "Crf(" + numTags + " tags" + (allowed != null ? ", constrained)" : ")");
    }

    /** Checks emissions [T, B, K] and lengths; returns the lengths (all T when null). */
    private Lengths check(String method, Tensor emissions, Lengths lengths) {
        if (emissions.rank() != 3 || emissions.dim(2) != numTags) {
            throw new IllegalArgumentException(this + ": " + method + " got emissions of shape " + emissions.shapeString()
                    + "; expected [T, B, " + numTags + "], time-major");
        }
        if (emissions.dim(0) == 0) throw new IllegalArgumentException(this + ": emissions " + emissions.shapeString() + " have no time steps");
        Lengths len = lengths == null ? Lengths.full(emissions.dim(0), emissions.dim(1)) : lengths;
        len.check(this, emissions.dim(0), emissions.dim(1));
        return len;
    }

    private void requireFinite(Tensor emissions, String origin) {
        int bad = emissions.firstNonFinite();
        if (bad >= 0) {
            throw new NonFiniteException(this + ": emissions hold " + emissions.at(bad) + " at "
                    + Arrays.toString(emissions.unflatten(bad)) + "; they were produced by " + origin);
        }
    }

    private boolean[] checkedCopy(String name, boolean[] values) {
        if (values == null || values.length != numTags) {
            throw new IllegalArgumentException(this + ": " + name + " has " + (values == null ? "no" : values.length)
                    + " entries; expected " + numTags);
        }
        return values.clone();
    }

    private boolean[] all() {
        boolean[] a = new boolean[numTags];
        Arrays.fill(a, true);
        return a;
    }
}
