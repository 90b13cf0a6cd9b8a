package dev.recur.nn;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Attention of a decoder over an encoder's outputs (the memory), as OpenNMT's global attention: the query is the
 * decoder's hidden state, the result the memory's average weighted by a softmax of scores over each source's valid
 * steps.
 * <pre>
 * additive (Bahdanau)   score(q, m) = vᵀ tanh(W_m m + W_q q + b)     keys K = W_m m   [S, B, A]
 * dot (Luong)           score(q, m) = q · m                           keys K = m (memory size = query size)
 * general (Luong)       score(q, m) = q · W_m m                       keys K = W_m m   [S, B, Q]
 * </pre>
 * The keys are computed once per batch ({@link #keys}); each decoder step then costs one fused {@link AttentionOp}.
 * Parameters: {@code memory.weight} (additive, general), {@code query.weight}, {@code query.bias} and {@code v}
 * (additive).
 */
public final class Attention extends Module {

    /** How a query scores a memory step. */
    public enum Form {
        ADDITIVE, DOT, GENERAL;

        public static Form parse(String name) {
            for (Form f : values()) if (f.name().equalsIgnoreCase(name)) return f;
            throw new dev.recur.tensor.InvalidOptionException("attention must be additive, dot or general, got \"" + name + "\"");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Form form;
    private final int querySize, memorySize;
    private final Linear memoryProjection, queryProjection;
    private final Variable v;

    /** {@code attentionSize} is the additive form's hidden size; the dot form needs {@code querySize == memorySize}. */
    public Attention(Form form, int querySize, int memorySize, int attentionSize, RandomGenerator rng) {
        this.form = form;
        this.querySize = querySize;
        this.memorySize = memorySize;
        switch (form) {
            case DOT -> {
                if (querySize != memorySize) {
                    throw new dev.recur.tensor.InvalidOptionException("dot attention needs the decoder's hidden size (" + querySize
                            + ") to equal the encoder's output size (" + memorySize + "); use general or additive attention");
                }
                memoryProjection = null;
                queryProjection = null;
                v = null;
            }
            case GENERAL -> {
                memoryProjection = register("memory", Linear.withoutBias(memorySize, querySize, rng));
                queryProjection = null;
                v = null;
            }
            default -> {
                memoryProjection = register("memory", Linear.withoutBias(memorySize, attentionSize, rng));
                queryProjection = register("query", new Linear(querySize, attentionSize, rng));
                float bound = (float) (1 / Math.sqrt(attentionSize));
                v = register("v", Tensor.uniform(rng, -bound, bound, attentionSize));
            }
        }
    }

    /** A batch's memory [S, B, M], its lengths and its keys, computed once and read by every step. */
    public record Keys(Variable memory, Variable keys, Lengths lengths) {
        public int steps() {
            return memory.value().dim(0);
        }
    }

    /** One step's result: the context [B, M] and the weights [B, S] (0 past each source's length). */
    public record Output(Variable context, Tensor weights) {}

    public Keys keys(Variable memory, Lengths lengths) {
        Tensor m = memory.value();
        if (m.rank() != 3 || m.dim(2) != memorySize) {
            throw new IllegalArgumentException(this + ": memory has shape " + m.shapeString() + "; expected [S, B, " + memorySize + "]");
        }
        return new Keys(memory, memoryProjection == null ? memory : memoryProjection.forward(memory), lengths);
    }

    /** Attends with {@code query} [B, Q] over the keys. */
    public Output forward(Keys keys, Variable query) {
        Tensor q = query.value();
        if (q.rank() != 2 || q.dim(1) != querySize || q.dim(0) != keys.memory().value().dim(1)) {
            throw new IllegalArgumentException(this + ": query has shape " + q.shapeString() + "; expected ["
                    + keys.memory().value().dim(1) + ", " + querySize + "]");
        }
        Variable projected = queryProjection == null ? query : queryProjection.forward(query);
        var op = new AttentionOp(keys.keys(), projected, v, keys.memory(), keys.lengths().toArray());
        return new Output(op.output(), op.weights());
    }

    public Form form() {
        return form;
    }

    @Override
    public String toString() {
        return "Attention(" + form.label() + ", query " + querySize + ", memory " + memorySize + ")";
    }
}
