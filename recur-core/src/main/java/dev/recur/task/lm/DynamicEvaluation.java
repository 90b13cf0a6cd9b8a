package dev.recur.task.lm;

import dev.recur.tensor.InvalidOptionException;
import dev.recur.autograd.NonFiniteException;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.data.StreamBatches;
import dev.recur.nn.RecurrentState;
import dev.recur.optim.Optimizer;
import dev.recur.task.lm.LanguageModelTraining.Evaluation;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Dynamic evaluation (Krause et al., 2018): the model goes on learning from the text it is scored on. The text is
 * read as {@link LanguageModelTraining#evaluate} reads it, in columns and chunks with the state carried; each chunk
 * is scored first, then one step on that chunk's mean loss moves the weights, and a decay pulls them back toward
 * the trained ones. The step is the gradient divided by the root of its running mean square (RMSprop's, as in
 * Krause et al.'s RMS variant, but with the mean square taken from the text being read), so one rate suits every
 * weight:
 * <pre>
 * g = ∇ℓ(chunk),  m ← β·m + (1 − β)·g²  (β = 0.99, m₀ = 0)
 * θ ← θ − η·g / (√(m / (1 − βᵗ)) + ε) + λ·(θ₀ − θ)
 * </pre>
 * Every token is predicted before any gradient of its own is used, so this is a fair online score of a model that
 * adapts to the text it reads (a speaker's topics, names and phrases); it is not the static score of the trained
 * weights, and the two are reported apart. The columns are read side by side, so a chunk has also learned from
 * the chunks before it in the other columns, some of which stand later in the text; with {@code batch} 1 the text
 * is read strictly in order. The model's weights are restored when the evaluation ends.
 */
public final class DynamicEvaluation {
    private DynamicEvaluation() {}

    /**
     * @param lr    η, the step size (0 gives the static score); 10⁻³ suits a character LSTM 2 × 512 with chunks of
     *              32 × 32 tokens
     * @param decay λ in [0, 1], the pull back toward the trained weights at each step
     */
    public static Evaluation evaluate(LanguageModel model, int[] tokens, int batch, int bptt, float lr, float decay) {
        return evaluate(model, tokens, batch, bptt, lr, decay, scored -> {});
    }

    /** As above, telling {@code progress} the number of tokens scored so far after each chunk. */
    public static Evaluation evaluate(LanguageModel model, int[] tokens, int batch, int bptt, float lr, float decay,
                                      LongConsumer progress) {
        if (!(decay >= 0f && decay <= 1f)) throw new InvalidOptionException("decay must be in [0, 1], got " + decay);
        StreamBatches stream = LanguageModelTraining.evaluationStream(tokens, batch, bptt);
        var adapt = new TowardPrior(model.parameters(), lr, decay);
        boolean wasTraining = model.training();
        model.train(false);
        int v = model.vocabulary().size();
        double total = 0;
        long count = 0;
        RecurrentState state = null;
        try {
            for (int c = 0; c < stream.chunks(); c++) {
                StreamBatches.Chunk chunk = stream.chunk(c);
                adapt.zeroGrad();
                LanguageModel.Output out;
                Variable loss;
                int n = chunk.steps() * chunk.batch();
                try {
                    out = model.forward(chunk.inputs(), chunk.steps(), chunk.batch(), state);
                    loss = out.logits().reshape(n, v).crossEntropy(chunk.targets());
                } catch (NonFiniteException e) {
                    throw diverged(count, e.getMessage(), lr, decay);
                }
                double mean = loss.value().item();
                if (!Double.isFinite(mean)) throw diverged(count, "the loss is " + mean, lr, decay);
                total += mean * n;
                count += n;
                loss.backward();
                adapt.step();
                state = out.state().detach();
                progress.accept(count);
            }
        } finally {
            Tape.clear();
            adapt.restore();
            adapt.zeroGrad();
            model.train(wasTraining);
        }
        return new Evaluation(count, total / count);
    }

    private static ArithmeticException diverged(long token, String what, float lr, float decay) {
        return new ArithmeticException("dynamic evaluation diverged at token " + token + " (" + what
                + "); use a lower learning rate (now " + lr + ") or a higher decay (now " + decay + ")");
    }

    /** The update above; slot 0 keeps θ₀, the weights at construction, slot 1 the mean square m. */
    private static final class TowardPrior extends Optimizer {
        private static final float BETA = 0.99f, EPS = 1e-8f;
        private final float decay;

        TowardPrior(List<Variable> params, float lr, float decay) {
            super(params, lr, 2);
            this.decay = decay;
            copyPrior(false);
        }

        @Override
        protected void update(float[] w, int wo, float[] g, int go, int so, int n) {
            float[] prior = state(0), ms = state(1);
            float lr = lr(), correction = (float) (1 - Math.pow(BETA, steps()));
            for (int i = 0; i < n; i++) {
                float x = w[wo + i], gi = g[go + i];
                float m = BETA * ms[so + i] + (1 - BETA) * gi * gi;
                ms[so + i] = m;
                w[wo + i] = x - lr * gi / ((float) Math.sqrt(m / correction) + EPS) + decay * (prior[so + i] - x);
            }
        }

        /** Puts the trained weights back. */
        void restore() {
            copyPrior(true);
        }

        /** Copies the weights into θ₀ (slot 0), or θ₀ back into the weights. */
        private void copyPrior(boolean back) {
            float[] prior = state(0);
            int at = 0;
            for (Variable p : params()) {
                var w = p.value();
                if (back) System.arraycopy(prior, at, w.data(), w.offset(), w.size());
                else System.arraycopy(w.data(), w.offset(), prior, at, w.size());
                at += w.size();
            }
        }
    }
}
