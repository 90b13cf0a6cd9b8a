package dev.recur.nn;

import java.util.Arrays;

/**
 * The gradient flow through time of one backward pass: for every layer k, direction d and step t, ‖∂L/∂h_t‖, the
 * norm over the whole batch [B, P] of the total gradient reaching the state leaving step t (what later steps send
 * back plus the gradient of the output at t). In a vanilla RNN it shrinks geometrically towards early steps — the
 * vanishing gradient of Hochreiter (1991) and Bengio et al. (1994) — and gates are what keeps it alive.
 * <pre>
 * lstm.recordStateGradients(true);
 * var out = lstm.forward(x);
 * loss(out).backward();
 * double[] norms = lstm.stateGradients().norms(0, Direction.FORWARD);   // [T], index t = time step
 * </pre>
 * Steps past a sequence's length carry its gradient unchanged, so they count towards the norm as h_n's gradient.
 */
public final class StateGradients {
    private final int layers, directions, steps;
    private final double[][] norms;   // [L·D][T], in PyTorch's layer-then-direction order

    StateGradients(int layers, int directions, int steps) {
        this.layers = layers;
        this.directions = directions;
        this.steps = steps;
        this.norms = new double[layers * directions][steps];
    }

    /** ‖∂L/∂h_t‖ for t = 0 .. T−1 in layer {@code layer} (from 0), direction {@code d}; zeros before backward. */
    public double[] norms(int layer, Direction d) {
        if (layer < 0 || layer >= layers) throw new IllegalArgumentException("layer must be in 0.." + (layers - 1) + ", got " + layer);
        if (d.ordinal() >= directions) throw new IllegalArgumentException("this stack has no " + d + " direction");
        return norms[layer * directions + d.ordinal()].clone();
    }

    /** The top layer's forward direction: what a loss on the outputs sends back first. */
    public double[] top() {
        return norms(layers - 1, Direction.FORWARD);
    }

    public int layers() {
        return layers;
    }

    public int directions() {
        return directions;
    }

    public int steps() {
        return steps;
    }

    /** The array the op of this layer and direction fills. */
    double[] slot(int index) {
        return norms[index];
    }

    @Override
    public String toString() {
        return "StateGradients(layers=" + layers + ", directions=" + directions + ", steps=" + steps + ", top="
                + Arrays.toString(top()) + ")";
    }
}
