package dev.recur.task.anomaly;

import dev.recur.tensor.InvalidOptionException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the anomaly threshold is set from scores of data assumed normal (the validation rows), or, for the dynamic
 * rule, from the scores being judged.
 * <pre>
 * ThresholdRule.parse("max:1.1")        // 1.1 × the largest validation score
 * ThresholdRule.parse("quantile:0.999") // the 99.9th percentile of the validation scores
 * ThresholdRule.parse("dynamic")        // Hundman et al. (2018): μ + zσ of the judged scores, z chosen by their criterion
 * </pre>
 */
public record ThresholdRule(Kind kind, double value) {

    public enum Kind { MAX, QUANTILE, DYNAMIC }

    public ThresholdRule {
        if (kind == Kind.MAX && !(value > 0)) throw new InvalidOptionException("the max rule needs a positive multiple, got " + value);
        if (kind == Kind.QUANTILE && !(value > 0 && value <= 1)) throw new InvalidOptionException("the quantile rule needs a level in (0, 1], got " + value);
    }

    /** "max:1.1", "quantile:0.99" or "dynamic". */
    public static ThresholdRule parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("dynamic")) return new ThresholdRule(Kind.DYNAMIC, 0);
        String[] parts = s.split(":", 2);
        try {
            if (parts.length == 2 && parts[0].equals("max")) return new ThresholdRule(Kind.MAX, Double.parseDouble(parts[1]));
            if (parts.length == 2 && parts[0].equals("quantile")) return new ThresholdRule(Kind.QUANTILE, Double.parseDouble(parts[1]));
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new InvalidOptionException("a threshold rule is max:K (K × the largest validation score), quantile:Q (a quantile of the validation scores) or dynamic; got \"" + text + "\"");
    }

    /** The threshold from the validation scores (NaN entries ignored); NaN for the dynamic rule, which sets it per group from the judged scores. */
    public double threshold(float[] validScores) {
        float[] v = finite(validScores);
        if (kind == Kind.DYNAMIC) return Double.NaN;
        if (v.length == 0) throw new IllegalArgumentException("no validation scores to set a threshold from");
        if (kind == Kind.MAX) return value * v[v.length - 1];
        return quantile(v, value);
    }

    /**
     * Hundman et al.'s dynamic threshold over smoothed errors e: ε = μ(e) + zσ(e) for the z in 2.0, 2.5, .. 10.0 that
     * maximises (Δμ/μ + Δσ/σ) / (|e_a| + |E_seq|²), where Δμ and Δσ are the drops in mean and standard deviation
     * when the errors above ε are removed, e_a those errors and E_seq their continuous runs; no anomaly (the largest
     * score) when nothing improves.
     */
    public static double dynamic(float[] scores) {
        float[] e = finite(scores);
        if (e.length == 0) return Double.POSITIVE_INFINITY;
        double mean = 0, sq = 0;
        for (float x : e) mean += x;
        mean /= e.length;
        for (float x : e) sq += (x - mean) * (x - mean);
        double sd = Math.sqrt(sq / e.length), best = Double.NEGATIVE_INFINITY, chosen = e[e.length - 1];
        for (double z = 2.0; z <= 10.0 + 1e-9; z += 0.5) {
            double eps = mean + z * sd, m = 0, s = 0;
            int below = 0, above = 0, runs = 0;
            boolean inRun = false;
            for (float x : scores) {
                if (Float.isNaN(x)) continue;
                if (x > eps) {
                    above++;
                    if (!inRun) runs++;
                    inRun = true;
                } else {
                    inRun = false;
                    below++;
                    m += x;
                }
            }
            if (above == 0 || below == 0) continue;
            m /= below;
            for (float x : e) if (x <= eps) s += (x - m) * (x - m);
            s = Math.sqrt(s / below);
            double score = ((mean - m) / mean + (sd - s) / sd) / (above + (double) runs * runs);
            if (score > best) {
                best = score;
                chosen = eps;
            }
        }
        return chosen;
    }

    private static float[] finite(float[] scores) {
        float[] v = Arrays.copyOf(scores, scores.length);
        int n = 0;
        for (float x : scores) if (!Float.isNaN(x)) v[n++] = x;
        v = Arrays.copyOf(v, n);
        Arrays.sort(v);
        return v;
    }

    /** The linearly interpolated quantile (NumPy's default) of sorted values. */
    static double quantile(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case MAX -> "max:" + value;
            case QUANTILE -> "quantile:" + value;
            case DYNAMIC -> "dynamic";
        };
    }
}
