package dev.recur.autograd;

import dev.recur.tensor.Tensor;
import java.util.ArrayList;

/**
 * Records operations in the order they run, one tape per thread, and walks it backwards to compute gradients.
 * The walk is a loop over the recorded list, so graphs over long sequences need no deep recursion.
 * <pre>
 * var loss = model.forward(x).crossEntropy(targets);
 * loss.backward();                        // fills param.grad() and clears the tape
 * try (var off = Tape.noGrad()) { ... }   // inference: nothing is recorded
 * </pre>
 */
public final class Tape {
    private static final ThreadLocal<Tape> CURRENT = ThreadLocal.withInitial(Tape::new);

    private final ArrayList<TapeNode> nodes = new ArrayList<>();
    private int noGradDepth;

    private Tape() {}

    /** True unless inside {@link #noGrad()}. */
    public static boolean recording() {
        return CURRENT.get().noGradDepth == 0;
    }

    /** Appends a node; op code calls this after computing an output that requires a gradient. */
    public static void record(TapeNode node) {
        Tape tape = CURRENT.get();
        if (tape.noGradDepth == 0) tape.nodes.add(node);
    }

    /** Operations run until the returned scope is closed record nothing and produce no gradients. */
    public static NoGrad noGrad() {
        Tape tape = CURRENT.get();
        tape.noGradDepth++;
        return new NoGrad(tape);
    }

    /** The number of nodes recorded on this thread's tape. */
    public static int size() {
        return CURRENT.get().nodes.size();
    }

    /** Forgets everything recorded on this thread (gradients already computed stay). */
    public static void clear() {
        CURRENT.get().nodes.clear();
    }

    /**
     * Seeds {@code output}'s gradient with {@code seed} (added to any gradient it already has), runs every
     * recorded node in reverse order, and clears the tape.
     */
    public static void backward(Variable output, Tensor seed) {
        if (!output.requiresGrad()) {
            throw new IllegalStateException("backward: " + output.origin() + " does not depend on any variable that requires a gradient"
                    + " (was it computed inside Tape.noGrad(), or from constants only?)");
        }
        if (!seed.sameShape(output.value())) {
            throw new IllegalArgumentException("backward: seed has shape " + seed.shapeString() + "; the output has "
                    + output.value().shapeString());
        }
        Tensor g = output.gradBuffer();
        float[] gd = g.data(), sd = seed.data();
        for (int i = 0; i < g.size(); i++) gd[g.offset() + i] += sd[seed.offset() + i];
        Tape tape = CURRENT.get();
        try {
            for (int i = tape.nodes.size() - 1; i >= 0; i--) {
                TapeNode node = tape.nodes.get(i);
                if (receivedGradient(node)) node.backward();
            }
        } finally {
            tape.nodes.clear();
        }
    }

    private static boolean receivedGradient(TapeNode node) {
        for (Variable v : node.outputs()) if (v.grad() != null) return true;
        return false;
    }

    /** A scope in which nothing is recorded; close it to record again. */
    public static final class NoGrad implements AutoCloseable {
        private final Tape tape;   // the tape of the thread that opened the scope, even if another closes it
        private boolean closed;

        private NoGrad(Tape tape) {
            this.tape = tape;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                tape.noGradDepth--;
            }
        }
    }
}
