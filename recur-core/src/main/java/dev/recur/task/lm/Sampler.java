package dev.recur.task.lm;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.data.Vocabulary;
import dev.recur.nn.RecurrentState;
import dev.recur.nn.Stepper;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Generates text from a {@link LanguageModel} one token at a time: the prompt is fed through the model, then
 * each next token is drawn from softmax(logits / temperature), restricted to the k most likely tokens (top-k)
 * and to the smallest set whose probability reaches p (top-p, nucleus sampling). The unknown symbol is never
 * drawn.
 *
 * @param temperature > 0; lower is more conservative, e.g. 0.8
 * @param topK        0 = no limit
 * @param topP        in (0, 1]; 1 = no limit
 */
public record Sampler(float temperature, int topK, float topP) {

    public Sampler {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new InvalidOptionException("temperature must be a number > 0, got " + temperature
                    + "; for the most likely token every time use a small value such as 0.05");
        }
        if (topK < 0) throw new InvalidOptionException("top-k must be ≥ 0 (0 = no limit), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new InvalidOptionException("top-p must be in (0, 1], got " + topP);
    }

    /**
     * Feeds {@code prompt} (token ids; empty starts from a line break when the vocabulary has one), then draws
     * {@code length} tokens, handing each to {@code sink} as it is produced.
     */
    public void generate(LanguageModel model, int[] prompt, int length, RandomGenerator rng, Consumer<String> sink) {
        generateWhile(model, prompt, length, rng, token -> {
            sink.accept(token);
            return true;
        });
    }

    /**
     * As {@link #generate}, but stops early once {@code sink} returns false (e.g. after the tenth line break).
     * Returns the number of tokens drawn.
     */
    public int generateWhile(LanguageModel model, int[] prompt, int length, RandomGenerator rng, Predicate<String> sink) {
        Vocabulary vocab = model.vocabulary();
        int[] start = prompt.length > 0 ? prompt : new int[] {vocab.contains("\n") ? vocab.id("\n") : 1};
        Stepper stepper = model.stepper();
        RecurrentState state = null;
        Tensor logits = null;
        for (int id : start) {
            LanguageModel.Output out = model.step(new int[] {id}, state, stepper);
            state = out.state();
            logits = out.logits().value();
        }
        for (int i = 0; i < length; i++) {
            int next = draw(logits, rng);
            if (!sink.test(vocab.symbol(next)) || i == length - 1) return i + 1;
            LanguageModel.Output out = model.step(new int[] {next}, state, stepper);
            state = out.state();
            logits = out.logits().value();
        }
        return 0;
    }

    /** One draw from logits [1, V] (or [V]). */
    int draw(Tensor logits, RandomGenerator rng) {
        int v = logits.size();
        double[] p = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < v; i++) max = Math.max(max, logits.at(i) / temperature);
        double sum = 0;
        for (int i = 1; i < v; i++) sum += p[i] = Math.exp(logits.at(i) / temperature - max);
        if (topK == 0 && topP >= 1f) {   // no restriction: draw straight from the distribution, no sorting
            double u = rng.nextDouble() * sum;
            for (int i = 1; i < v; i++) {
                u -= p[i];
                if (u <= 0) return i;
            }
            return v - 1;
        }
        Integer[] order = new Integer[v - 1];
        for (int i = 0; i < v - 1; i++) order[i] = i + 1;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
        double mass = 0;
        for (int r = 0; r < keep; r++) {
            mass += p[order[r]] / sum;
            if (mass >= topP) {
                keep = r + 1;
                break;
            }
        }
        double kept = 0;
        for (int r = 0; r < keep; r++) kept += p[order[r]];
        double u = rng.nextDouble() * kept;
        for (int r = 0; r < keep; r++) {
            u -= p[order[r]];
            if (u <= 0) return order[r];
        }
        return order[keep - 1];
    }
}
