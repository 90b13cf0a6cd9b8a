package dev.recur.task.score;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Corpus BLEU-4 as sacreBLEU 2.x computes it with its defaults: tokenizer 13a, case-sensitive, smoothing 'exp'. Over
 * the corpus, with n-gram matches clipped by the most times the n-gram occurs in any one reference of the sentence:
 * <pre>
 * p_n   = 100 · matches_n / total_n                       n = 1..4, hypothesis n-grams
 *         100 / (2^k · total_n)  when matches_n = 0, the k-th such order ('exp', mteval-v13a's smoothing)
 * BP    = 1 when c ≥ r, else exp(1 − r / c)               c hypothesis tokens, r the reference tokens
 * BLEU  = BP · exp(Σ log p_n / 4)                         0 when no n-gram matches at all, or an order has none
 * </pre>
 * r sums, per sentence, the length of the reference closest in length to the hypothesis, the shorter on a tie.
 * <pre>
 * var b = Bleu.corpus(List.of("The cat sat on the mat."), List.of(List.of("The cat sat on a mat.")));
 * b.score()         // 6 of 7 unigrams, 4 of 6 bigrams, 2/5, 1/4, BP 1: 48.89
 * b.precisions()    // [85.71, 66.67, 40.0, 25.0]
 * </pre>
 *
 * @param score           BLEU on 0–100
 * @param precisions      p_1..p_4 on 0–100, after smoothing
 * @param matches         clipped n-gram matches, n = 1..4
 * @param totals          hypothesis n-grams, n = 1..4
 * @param brevityPenalty  BP, in [0, 1]
 * @param ratio           c / r, 0 when r = 0
 * @param hypothesisTokens c, hypothesis tokens in the corpus
 * @param referenceTokens  r, closest-reference tokens in the corpus
 */
public record Bleu(double score, List<Double> precisions, List<Long> matches, List<Long> totals, double brevityPenalty,
                   double ratio, long hypothesisTokens, long referenceTokens) {
    static final int ORDER = 4;

    // mteval-v13a's language-dependent rules as sacreBLEU's TokenizerRegexp applies them, in order.
    private static final Pattern SYMBOLS = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    public Bleu {
        precisions = List.copyOf(precisions);
        matches = List.copyOf(matches);
        totals = List.copyOf(totals);
    }

    /**
     * BLEU of {@code hypotheses} against {@code references}, where {@code references.get(i)} holds sentence i's
     * references, one or more. Both sides are tokenized by {@link #tokenize}.
     *
     * @throws IllegalArgumentException when the lists differ in length or a sentence has no reference
     */
    public static Bleu corpus(List<String> hypotheses, List<List<String>> references) {
        Sentences.requireReferences(hypotheses.size(), references);
        long[] matches = new long[ORDER], totals = new long[ORDER];
        long c = 0, r = 0;
        for (int s = 0; s < hypotheses.size(); s++) {
            List<String> hyp = tokenize(hypotheses.get(s));
            // The most times each n-gram occurs in one reference, and the reference length closest to the hypothesis.
            Map<String, Integer> clip = new HashMap<>();
            int closest = -1;
            for (String reference : references.get(s)) {
                List<String> ref = tokenize(reference);
                ngrams(ref).forEach((g, k) -> clip.merge(g, k, Math::max));
                int d = Math.abs(hyp.size() - ref.size()), best = Math.abs(hyp.size() - closest);
                if (closest < 0 || d < best || d == best && ref.size() < closest) closest = ref.size();
            }
            for (var e : ngrams(hyp).entrySet()) {
                int n = countSpaces(e.getKey());
                totals[n] += e.getValue();
                matches[n] += Math.min(e.getValue(), clip.getOrDefault(e.getKey(), 0));
            }
            c += hyp.size();
            r += closest;
        }
        return of(matches, totals, c, r);
    }

    /** sacreBLEU's {@code compute_bleu} with smooth_method='exp' from the corpus counts. */
    private static Bleu of(long[] matches, long[] totals, long c, long r) {
        double bp = c >= r ? 1 : c > 0 ? Math.exp(1 - (double) r / c) : 0;
        double[] p = new double[ORDER];
        boolean anyMatch = false;
        for (long m : matches) anyMatch |= m > 0;
        double score = 0;
        if (anyMatch) {
            double smooth = 1, logSum = 0;
            for (int n = 0; n < ORDER && totals[n] > 0; n++) {
                if (matches[n] == 0) {
                    smooth *= 2;
                    p[n] = 100 / (smooth * totals[n]);
                } else {
                    p[n] = 100.0 * matches[n] / totals[n];
                }
            }
            // An order without hypothesis n-grams keeps p = 0, whose log sacreBLEU floors to -9999999999.
            for (double pn : p) logSum += pn == 0 ? -9999999999.0 : Math.log(pn);
            score = bp * Math.exp(logSum / ORDER);
        }
        var precisions = new ArrayList<Double>();
        var matchList = new ArrayList<Long>();
        var totalList = new ArrayList<Long>();
        for (int n = 0; n < ORDER; n++) {
            precisions.add(p[n]);
            matchList.add(matches[n]);
            totalList.add(totals[n]);
        }
        return new Bleu(score, precisions, matchList, totalList, bp, r == 0 ? 0 : (double) c / r, c, r);
    }

    /** Every 1- to 4-gram of {@code tokens}, joined by single spaces, with its count. */
    private static Map<String, Integer> ngrams(List<String> tokens) {
        Map<String, Integer> counts = new HashMap<>();
        for (int n = 1; n <= ORDER; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) counts.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    private static int countSpaces(String ngram) {
        int k = 0;
        for (int i = 0; i < ngram.length(); i++) if (ngram.charAt(i) == ' ') k++;
        return k;
    }

    /**
     * sacreBLEU's tokenizer 13a (mteval-v13a): drops "&lt;skipped&gt;" and "-\n", turns line breaks into spaces,
     * unescapes {@code &quot; &amp; &lt; &gt;} (not {@code &apos;}), then splits off punctuation and symbols, a period
     * or comma unless it stands between digits, and a dash after a digit.
     * <pre>
     * Bleu.tokenize("He paid $1,000 (3.5 kg), 5-10 x-ray.")
     * // [He, paid, $, 1,000, (, 3.5, kg, ), ,, 5, -, 10, x-ray, .]
     * </pre>
     */
    public static List<String> tokenize(String line) {
        line = stripTrailingSpace(line).replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.indexOf('&') >= 0)
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        line = " " + line + " ";
        line = SYMBOLS.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
        line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        return splitOnSpace(line);
    }

    /** Python's {@code str.isspace} for one code point, which {@code str.split()} and {@code strip()} follow. */
    static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    /** Python's {@code line.split()}: the runs of non-space code points. */
    static List<String> splitOnSpace(String line) {
        var tokens = new ArrayList<String>();
        int start = -1;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) tokens.add(line.substring(start, i));
                start = -1;
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) tokens.add(line.substring(start));
        return tokens;
    }

    private static String stripTrailingSpace(String line) {
        int end = line.length();
        while (end > 0 && isSpace(line.codePointBefore(end))) end -= Character.charCount(line.codePointBefore(end));
        return line.substring(0, end);
    }

    /** "BLEU 55.41 (82.3/66.1/52.0/43.2, BP 0.938, ratio 0.939, 62 hypothesis and 66 reference tokens)". */
    @Override
    public String toString() {
        return String.format("BLEU %.2f (%.1f/%.1f/%.1f/%.1f, BP %.3f, ratio %.3f, %d hypothesis and %d reference tokens)", score,
                precisions.get(0), precisions.get(1), precisions.get(2), precisions.get(3), brevityPenalty, ratio, hypothesisTokens,
                referenceTokens);
    }
}
