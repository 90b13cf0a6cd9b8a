package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One recurrent step on a batch, PyTorch's nn.RNNCell / nn.LSTMCell / nn.GRUCell contract: input [B, F] and
 * state h [B, H] (c [B, H] for the LSTM; null for zeros) give the next state. It is the layers' fused op run
 * for one step, so the math and its backward are shared. Parameters weight_ih [G, F], weight_hh [G, H],
 * bias_ih, bias_hh [G], from U(−1/√H, 1/√H).
 */
public abstract sealed class RecurrentCell extends Module permits RnnCell, LstmCell, GruCell {
    /** Its weight matrices are products' weights (quantized files store them in fewer bits). */
    @Override
    protected boolean isProductWeight(String name) {
        return name.startsWith("weight_");
    }

    private final RecurrentConfig config;
    private final LayerWeights weights;
    private final Workspace workspace = new Workspace();   // buffers of the fused op, reused from step to step

    RecurrentCell(RecurrentConfig config, CellType expected, RandomGenerator rng) {
        if (config.cell() != expected || config.numLayers() != 1 || config.bidirectional() || config.projSize() != 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs a one-layer, one-direction " + expected
                    + " config without projection; got " + config.describe());
        }
        this.config = config;
        this.weights = LayerWeights.register(this, config, config.inputSize(), "", rng);
    }

    public RecurrentConfig config() {
        return config;
    }

    /** The next state h' (and c' for the LSTM), each [B, H]; {@code state} null means zeros. */
    public RecurrentState forward(Variable input, RecurrentState state) {
        Tensor v = input.value();
        if (v.rank() != 2 || v.dim(1) != config.inputSize()) {
            throw new IllegalArgumentException(this + ": input has shape " + v.shapeString() + "; expected [B, " + config.inputSize() + "]");
        }
        int batch = v.dim(0), h = config.hiddenSize();
        boolean lstm = config.cell() == CellType.LSTM;
        checkState(state, batch);
        Variable h0 = state == null ? null : state.h(), c0 = state == null ? null : state.c();
        Variable[] inputs = Recurrent.inputs(input, h0, c0, List.of(weights));
        Variable hNext = Variable.result(Tensor.zeros(batch, h), this + " h'", inputs);
        Variable cNext = lstm ? Variable.result(Tensor.zeros(batch, h), this + " c'", inputs) : null;
        int[] lengths = new int[batch];
        Arrays.fill(lengths, 1);
        var op = new SequenceOp(config, weights, Direction.FORWARD, input, 1, lengths,
                new SequenceOp.Slot(h0, c0, 0), new SequenceOp.Slot(hNext, cNext, 0), null, 0, workspace);
        op.forward();
        if (hNext.requiresGrad()) Tape.record(op);
        else op.release();
        return new RecurrentState(hNext, cNext);
    }

    @Override
    public String toString() {
        return config.describe().replaceFirst("\\(", "Cell(");
    }

    private void checkState(RecurrentState s, int batch) {
        if (s == null) return;
        int[] expected = {batch, config.hiddenSize()};
        if (!Arrays.equals(s.h().value().shape(), expected)) {
            throw new IllegalArgumentException(this + ": h has shape " + s.h().value().shapeString() + "; expected " + Arrays.toString(expected));
        }
        if (config.cell() == CellType.LSTM) {
            if (s.c() == null || !Arrays.equals(s.c().value().shape(), expected)) {
                throw new IllegalArgumentException(this + ": c has shape " + (s.c() == null ? "none" : s.c().value().shapeString())
                        + "; expected " + Arrays.toString(expected));
            }
        } else if (s.c() != null) {
            throw new IllegalArgumentException(this + ": the state has a c; only an LSTM cell has a cell state");
        }
    }
}
