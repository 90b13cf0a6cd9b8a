package dev.recur.task.seq2seq;

import static dev.recur.tensor.InvalidOptionException.check;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.nn.Attention;
import dev.recur.nn.Lengths;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Greedy decoding and beam search over a batch of sources, with GNMT's length normalisation (Wu et al. 2016):
 * <pre>
 * score(Y) = log p(Y | X) / lp(Y)      lp(Y) = ((5 + |Y|) / 6)^α      |Y| counts the symbols and the final &lt;/s&gt;
 * </pre>
 * Beam search keeps the K best open hypotheses of each source. At each step it ranks every extension of every open
 * hypothesis by log-probability, {@code </s>} scored like any other symbol; an extension by {@code </s>} among the
 * top K is finished, and the best K extensions by another symbol stay open. Finished hypotheses are compared only by
 * their normalised scores, and a source stops only when no open hypothesis can still beat its N-th best finished one
 * (a log-probability only falls as a hypothesis grows, so log p / lp(max length) bounds it for α ≥ 0), or at its
 * maximum length, where open hypotheses end unfinished. Beam 1 is greedy decoding; a beam wider than every
 * hypothesis up to the maximum length is exhaustive search.
 */
public final class Search {
    private Search() {}

    /**
     * @param beam          K, hypotheses kept per source; 1 for greedy
     * @param nBest         hypotheses returned per source, at most K
     * @param lengthPenalty α ≥ 0; 0 ranks by log-probability
     * @param maxRatio      the output is at most maxRatio · |source| + maxExtra symbols
     * @param maxExtra      see maxRatio
     */
    public record Options(int beam, int nBest, float lengthPenalty, float maxRatio, int maxExtra) {
        public Options {
            check(beam >= 1, "beam must be at least 1, got %d", beam);
            check(nBest >= 1 && nBest <= beam, "n-best must be between 1 and the beam (%d), got %d", beam, nBest);
            check(lengthPenalty >= 0, "length penalty must be ≥ 0, got %s", lengthPenalty);
            check(maxRatio > 0 && maxExtra >= 0, "the maximum length must be positive");
        }

        public static Options greedy() {
            return new Options(1, 1, 0f, 2f, 10);
        }

        public static Options beam(int k) {
            return new Options(k, 1, 0.6f, 2f, 10);
        }

        public Options withNBest(int n) {
            return new Options(beam, n, lengthPenalty, maxRatio, maxExtra);
        }

        public Options withLengthPenalty(float alpha) {
            return new Options(beam, nBest, alpha, maxRatio, maxExtra);
        }

        public Options withMaxLength(float ratio, int extra) {
            return new Options(beam, nBest, lengthPenalty, ratio, extra);
        }

        /** The most symbols an output of a source of {@code sourceLength} may have. */
        public int maxLength(int sourceLength) {
            return Math.max(1, (int) Math.ceil(maxRatio * sourceLength) + maxExtra);
        }
    }

    /**
     * One output: its symbol ids (without {@code </s>}), whether it ended with {@code </s>} (else it reached the
     * maximum length), its log-probability (with {@code </s>}), its normalised score, and the attention weights of
     * each step over the source's symbols ([steps][source length], the {@code </s>} step included).
     */
    public record Hypothesis(int[] tokens, boolean finished, double logProb, double score, float[][] attention) {}

    /** A source's hypotheses, best first. */
    public record Result(List<Hypothesis> hypotheses) {
        public Hypothesis best() {
            return hypotheses.get(0);
        }
    }

    /** GNMT's lp(Y) = ((5 + length) / 6)^α. */
    public static double lengthPenalty(int length, float alpha) {
        return alpha == 0 ? 1 : Math.pow((5 + length) / 6.0, alpha);
    }

    /** Greedy decoding when the beam is 1 and one hypothesis is asked for, else beam search; one result per source. */
    public static List<Result> run(Seq2Seq model, List<int[]> sources, Options options) {
        return options.beam() == 1 ? greedy(model, sources, options) : beam(model, sources, options);
    }

    /** The most likely symbol at each step, batched; nothing is recorded and dropout is off. */
    public static List<Result> greedy(Seq2Seq model, List<int[]> sources, Options options) {
        boolean was = model.training();
        model.train(false);
        try (var off = Tape.noGrad()) {
            int b = sources.size();
            Seq2Seq.Encoded e = model.encode(sources);
            Seq2Seq.DecoderState state = e.start();
            int[] previous = new int[b];
            Arrays.fill(previous, Seq2Seq.START_ID);
            var tokens = new ArrayList<List<Integer>>();
            var attention = new ArrayList<List<float[]>>();
            double[] logProb = new double[b];
            boolean[] done = new boolean[b], finished = new boolean[b];
            int[] max = new int[b];
            int longest = 0;
            for (int i = 0; i < b; i++) {
                tokens.add(new ArrayList<>());
                attention.add(new ArrayList<>());
                max[i] = options.maxLength(sources.get(i).length);
                longest = Math.max(longest, max[i]);
            }
            for (int step = 0; step < longest; step++) {
                Seq2Seq.Step s = model.step(previous, state, e.keys());
                state = s.next();
                float[][] lp = logSoftmax(model.logits(s.attentional()).value());
                boolean any = false;
                for (int i = 0; i < b; i++) {
                    if (done[i]) continue;
                    int best = argmax(lp[i]);
                    logProb[i] += lp[i][best];
                    attention.get(i).add(weights(s.weights(), i, sources.get(i).length));
                    previous[i] = best;
                    if (best == Seq2Seq.END_ID) {
                        done[i] = finished[i] = true;
                    } else {
                        tokens.get(i).add(best);
                        if (tokens.get(i).size() >= max[i]) done[i] = true;
                    }
                    any |= !done[i];
                }
                if (!any) break;
            }
            var results = new ArrayList<Result>(b);
            for (int i = 0; i < b; i++) {
                int[] ids = tokens.get(i).stream().mapToInt(Integer::intValue).toArray();
                int length = attention.get(i).size();
                results.add(new Result(List.of(new Hypothesis(ids, finished[i], logProb[i], logProb[i] / lengthPenalty(length, options.lengthPenalty()),
                        attention.get(i).toArray(new float[0][])))));
            }
            return results;
        } finally {
            model.train(was);
        }
    }

    /** A hypothesis as a chain of symbols back to the start. */
    private record Node(int token, Node parent, float[] attention, double logProb, int length) {
        /** The symbols from the start, without {@code </s>}. */
        int[] tokens() {
            int[] ids = new int[length];
            int i = length;
            for (Node n = this; n.parent != null; n = n.parent) if (n.token != Seq2Seq.END_ID) ids[--i] = n.token;
            return Arrays.copyOfRange(ids, i, length);
        }

        float[][] weights() {
            var list = new ArrayList<float[]>();
            for (Node n = this; n.parent != null; n = n.parent) list.add(0, n.attention);
            return list.toArray(new float[0][]);
        }
    }

    /** One source's search. */
    private static final class Beam {
        final int source, maxLength, nBest;
        List<Node> open = new ArrayList<>();
        final List<Hypothesis> finished = new ArrayList<>();
        boolean done;

        Beam(int source, int maxLength, int nBest) {
            this.source = source;
            this.maxLength = maxLength;
            this.nBest = nBest;
            open.add(new Node(Seq2Seq.START_ID, null, null, 0, 0));
        }

        void finish(Node n, boolean ended, float alpha) {
            int[] ids = n.tokens();
            int steps = n.length;
            finished.add(new Hypothesis(ids, ended, n.logProb, n.logProb / lengthPenalty(steps, alpha), n.weights()));
        }

        /** The N-th best normalised score of the finished hypotheses, or −∞ with fewer than N. */
        double nthBest(int n) {
            if (finished.size() < n) return Double.NEGATIVE_INFINITY;
            return finished.stream().mapToDouble(Hypothesis::score).boxed().sorted(Comparator.reverseOrder()).skip(n - 1).findFirst().orElseThrow();
        }
    }

    /** Beam search of width K over each source, batched over the sources' open hypotheses. */
    public static List<Result> beam(Seq2Seq model, List<int[]> sources, Options options) {
        boolean was = model.training();
        model.train(false);
        try (var off = Tape.noGrad()) {
            int b = sources.size(), k = options.beam();
            float alpha = options.lengthPenalty();
            Seq2Seq.Encoded e = model.encode(sources);
            var beams = new ArrayList<Beam>(b);
            for (int i = 0; i < b; i++) beams.add(new Beam(i, options.maxLength(sources.get(i).length), options.nBest()));
            int[] rowSource = new int[b];
            Arrays.setAll(rowSource, i -> i);
            Attention.Keys keys = e.keys();
            Seq2Seq.DecoderState state = e.start();
            for (int step = 0; ; step++) {
                int[] previous = new int[rowSource.length];
                int r = 0;
                for (Beam beam : beams) if (!beam.done) for (Node n : beam.open) previous[r++] = n.token;
                Seq2Seq.Step s = model.step(previous, state, keys);
                float[][] lp = logSoftmax(model.logits(s.attentional()).value());
                var parents = new ArrayList<Integer>();
                var nextSource = new ArrayList<Integer>();
                r = 0;
                for (Beam beam : beams) {
                    if (beam.done) continue;
                    int first = r;
                    r += beam.open.size();
                    var next = extend(beam, lp, first, s.weights(), sources.get(beam.source).length, k, alpha, step);
                    for (int[] c : next) {
                        parents.add(c[0]);
                        nextSource.add(beam.source);
                    }
                }
                if (parents.isEmpty()) break;
                int[] rows = parents.stream().mapToInt(Integer::intValue).toArray();
                int[] sourcesOfRows = nextSource.stream().mapToInt(Integer::intValue).toArray();
                state = s.next().select(rows);
                if (!Arrays.equals(sourcesOfRows, rowSource)) keys = select(e.keys(), sourcesOfRows);
                rowSource = sourcesOfRows;
            }
            var results = new ArrayList<Result>(b);
            for (Beam beam : beams) {
                var sorted = new ArrayList<>(beam.finished);
                sorted.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
                results.add(new Result(List.copyOf(sorted.subList(0, Math.min(options.nBest(), sorted.size())))));
            }
            return results;
        } finally {
            model.train(was);
        }
    }

    /**
     * Extends one source's open hypotheses (rows {@code first}.. of the step's log-probabilities) and returns the
     * rows whose extensions stay open, as {parent row}; updates the beam's open and finished hypotheses.
     */
    private static List<int[]> extend(Beam beam, float[][] lp, int first, Tensor weights, int sourceLength, int k, float alpha, int step) {
        int rows = beam.open.size(), v = lp[0].length;
        // The 2K best extensions by log-probability (a min-heap of row·V + symbol).
        double[] base = new double[rows];
        for (int i = 0; i < rows; i++) base[i] = beam.open.get(i).logProb;
        int keep = Math.min(2 * k, rows * v);
        var heap = new PriorityQueue<long[]>(Comparator.comparingDouble(c -> Double.longBitsToDouble(c[1])));
        for (int i = 0; i < rows; i++) {
            float[] p = lp[first + i];
            for (int t = 0; t < v; t++) {
                double score = base[i] + p[t];
                if (heap.size() < keep) {
                    heap.add(new long[] {(long) i * v + t, Double.doubleToLongBits(score)});
                } else if (score > Double.longBitsToDouble(heap.peek()[1])) {
                    heap.poll();
                    heap.add(new long[] {(long) i * v + t, Double.doubleToLongBits(score)});
                }
            }
        }
        var ranked = new ArrayList<>(heap);
        ranked.sort((a, c) -> Double.compare(Double.longBitsToDouble(c[1]), Double.longBitsToDouble(a[1])));
        var open = new ArrayList<Node>();
        var parents = new ArrayList<int[]>();
        for (int rank = 0; rank < ranked.size(); rank++) {
            long[] c = ranked.get(rank);
            int i = (int) (c[0] / v), t = (int) (c[0] % v);
            Node parent = beam.open.get(i);
            Node n = new Node(t, parent, weights(weights, first + i, sourceLength), Double.longBitsToDouble(c[1]), parent.length + 1);
            if (t == Seq2Seq.END_ID) {
                if (rank < k) beam.finish(n, true, alpha);
            } else if (open.size() < k) {
                open.add(n);
                parents.add(new int[] {first + i});
            }
        }
        if (step + 1 >= beam.maxLength) {
            for (Node n : open) beam.finish(n, false, alpha);
            open.clear();
            parents.clear();
        }
        beam.open = open;
        if (open.isEmpty()) {
            beam.done = true;
        } else {
            // The best normalised score any open hypothesis can still reach: its log-probability only falls, and
            // with α ≥ 0 dividing it by the largest lp, that of the maximum length, gives the highest value.
            double bound = open.get(0).logProb / lengthPenalty(beam.maxLength, alpha);
            if (beam.nthBest(beam.nBest) >= bound) beam.done = true;
        }
        if (beam.done) parents.clear();
        return parents;
    }

    private static Attention.Keys select(Attention.Keys keys, int[] sources) {
        Variable memory = Variable.of(Rows.select(keys.memory().value(), sources));
        Variable k = keys.keys() == keys.memory() ? memory : Variable.of(Rows.select(keys.keys().value(), sources));
        int[] lengths = new int[sources.length];
        for (int i = 0; i < sources.length; i++) lengths[i] = keys.lengths().get(sources[i]);
        return new Attention.Keys(memory, k, Lengths.of(lengths));
    }

    private static float[] weights(Tensor w, int row, int sourceLength) {
        int s = w.dim(1);
        return Arrays.copyOfRange(w.data(), w.offset() + row * s, w.offset() + row * s + sourceLength);
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
        return best;
    }

    /** Row-wise log-softmax of logits [N, V]. */
    static float[][] logSoftmax(Tensor logits) {
        int n = logits.dim(0), v = logits.dim(1);
        float[] d = logits.data();
        float[][] out = new float[n][v];
        for (int i = 0; i < n; i++) {
            int row = logits.offset() + i * v;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) m = Math.max(m, d[row + j]);
            double s = 0;
            for (int j = 0; j < v; j++) s += Math.exp(d[row + j] - m);
            float lse = m + (float) Math.log(s);
            for (int j = 0; j < v; j++) out[i][j] = d[row + j] - lse;
        }
        return out;
    }
}
