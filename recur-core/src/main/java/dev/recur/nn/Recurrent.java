package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A stack of recurrent layers over whole sequences, PyTorch's nn.RNN / nn.LSTM / nn.GRU contract: input
 * [T, B, F] ([B, T, F] batch-first) with optional lengths [B] in any order and optional initial state h0
 * [L·D, B, P] (c0 [L·D, B, H] for the LSTM); returns outputs [T, B, D·P] and the final state of every layer
 * and direction. Each layer and direction is one fused op on the tape ({@code SequenceOp}); dropout, drawn from
 * the generator given at construction, is applied to every layer's output but the last while training.
 * Parameters are registered per layer and direction as PyTorch's state_dict: weight_ih_l{k}[_reverse],
 * weight_hh_l{k}[_reverse], bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse], weight_hr_l{k}[_reverse].
 */
public abstract sealed class Recurrent extends Module permits Rnn, Lstm, Gru {
    /** Its weight matrices are products' weights (quantized files store them in fewer bits). */
    @Override
    protected boolean isProductWeight(String name) {
        return name.startsWith("weight_");
    }

    private final RecurrentConfig config;
    private final List<LayerWeights> weights;   // one per layer and direction, in PyTorch order
    private final RandomGenerator rng;
    private boolean recording;            // record ‖∂L/∂h_t‖ in the backward passes of later forward calls
    private StateGradients stateGradients;   // the last recorded forward call's, filled by its backward
    private final Workspace workspace = new Workspace();   // buffers of the fused ops, reused from call to call

    Recurrent(RecurrentConfig config, CellType expected, RandomGenerator rng) {
        if (config.cell() != expected) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs a " + expected + " config; got " + config.describe());
        }
        this.config = config;
        this.rng = Objects.requireNonNull(rng, "rng");
        var all = new ArrayList<LayerWeights>();
        for (int k = 0; k < config.numLayers(); k++) {
            for (Direction d : directions()) {
                all.add(LayerWeights.register(this, config, config.layerInputSize(k), "_l" + k + d.suffix(), rng));
            }
        }
        this.weights = List.copyOf(all);
    }

    /** The layer for {@code config.cell()}. */
    public static Recurrent of(RecurrentConfig config, RandomGenerator rng) {
        return switch (config.cell()) {
            case RNN -> new Rnn(config, rng);
            case LSTM -> new Lstm(config, rng);
            case GRU -> new Gru(config, rng);
        };
    }

    public RecurrentConfig config() {
        return config;
    }

    /** All sequences of full length, starting from zero state. */
    public RecurrentOutput forward(Variable input) {
        return forward(input, null, null);
    }

    /** All sequences of full length, starting from {@code initial} (null: zeros). */
    public RecurrentOutput forward(Variable input, RecurrentState initial) {
        return forward(input, null, initial);
    }

    /**
     * Runs the stack. {@code lengths} (null: all T) may come in any order; {@code initial} (null: zeros) is
     * h0 [L·D, B, P] and, for the LSTM, c0 [L·D, B, H].
     */
    public RecurrentOutput forward(Variable input, Lengths lengths, RecurrentState initial) {
        Tensor v = input.value();
        String layout = config.batchFirst() ? "[B, T, F]" : "[T, B, F]";
        if (v.rank() != 3) throw new IllegalArgumentException(this + ": input has shape " + v.shapeString() + "; expected " + layout);
        if (v.dim(2) != config.inputSize()) {
            throw new IllegalArgumentException(this + ": input has " + v.dim(2) + " features (shape " + v.shapeString()
                    + "); expected " + config.inputSize());
        }
        Variable x = config.batchFirst() ? SwapLeadingAxes.apply(input) : input;
        int steps = x.value().dim(0), batch = x.value().dim(1);
        if (steps == 0) throw new IllegalArgumentException(this + ": input " + v.shapeString() + " has no time steps");
        Lengths len = lengths == null ? Lengths.full(steps, batch) : lengths;
        len.check(this, steps, batch);
        RecurrentOutput r = run(x, steps, len.values(), initial);
        return config.batchFirst() ? new RecurrentOutput(SwapLeadingAxes.apply(r.output()), r.state()) : r;
    }

    /**
     * One time step for every layer, for inference (nothing is recorded): input [B, F], state as returned by
     * {@link #forward} or a previous step (null: zeros). Returns the top layer's output [B, P] and the new state.
     * Needs one direction: a reverse direction would read the future.
     */
    public RecurrentOutput step(Tensor input, RecurrentState state) {
        if (config.bidirectional()) {
            throw new IllegalStateException(this + ": step needs a unidirectional layer; a reverse direction reads the whole sequence");
        }
        if (input.rank() != 2 || input.dim(1) != config.inputSize()) {
            throw new IllegalArgumentException(this + ": step input has shape " + input.shapeString() + "; expected [B, " + config.inputSize() + "]");
        }
        checkState(state, input.dim(0));
        return InferenceStep.run(config, weights, input, state, workspace);
    }

    /**
     * A stepper over a snapshot of these weights, for fast step-by-step inference (generation, streaming): the
     * same results as {@link #step}, with the weights laid out once for batch-1 products. It does not see later
     * changes to the weights.
     */
    public Stepper stepper() {
        return new Stepper(config, weights);
    }

    /**
     * Starts or stops recording ‖∂L/∂h_t‖ per layer, direction and step ({@link StateGradients}); off by default,
     * and free when off. While on, each forward call on the tape starts a new record, which its backward fills.
     */
    public void recordStateGradients(boolean on) {
        recording = on;
        if (!on) stateGradients = null;
    }

    /** The record of the last forward call made while recording, or null when not recording. */
    public StateGradients stateGradients() {
        return stateGradients;
    }

    /** Zero state for a batch of {@code batch}: h [L·D, B, P] and, for the LSTM, c [L·D, B, H]. */
    public RecurrentState zeroState(int batch) {
        int n = config.numLayers() * config.directions();
        return config.cell() == CellType.LSTM
                ? RecurrentState.of(Tensor.zeros(n, batch, config.outputSize()), Tensor.zeros(n, batch, config.hiddenSize()))
                : RecurrentState.of(Tensor.zeros(n, batch, config.outputSize()));
    }

    @Override
    public String toString() {
        return config.describe();
    }

    /** The stack over time-major x [T, B, F]: one SequenceOp per layer and direction. */
    private RecurrentOutput run(Variable x, int steps, int[] lengths, RecurrentState initial) {
        int batch = lengths.length, dirs = config.directions(), p = config.outputSize(), n = config.numLayers() * dirs;
        checkState(initial, batch);
        Variable h0 = initial == null ? null : initial.h(), c0 = initial == null ? null : initial.c();
        boolean lstm = config.cell() == CellType.LSTM;
        Variable[] everything = inputs(x, h0, c0, weights);
        Variable hN = Variable.result(Tensor.zeros(n, batch, p), this + " h_n", everything);
        Variable cN = lstm ? Variable.result(Tensor.zeros(n, batch, config.hiddenSize()), this + " c_n", everything) : null;
        Variable layerInput = x, y = null;
        StateGradients record = recording && Tape.recording() ? new StateGradients(config.numLayers(), dirs, steps) : null;
        if (record != null) stateGradients = record;
        for (int k = 0; k < config.numLayers(); k++) {
            List<LayerWeights> layer = weights.subList(k * dirs, (k + 1) * dirs);
            y = Variable.result(Tensor.zeros(steps, batch, dirs * p), this + " layer " + k + " output", inputs(layerInput, h0, c0, layer));
            var ops = new SequenceOp[dirs];
            for (Direction d : directions()) {
                int slot = k * dirs + d.ordinal();
                ops[d.ordinal()] = new SequenceOp(config, weights.get(slot), d, layerInput, steps, lengths,
                        new SequenceOp.Slot(h0, c0, slot), new SequenceOp.Slot(hN, cN, slot), y, d.ordinal() * p, workspace);
                if (record != null) ops[d.ordinal()].recordStateGradients(record.slot(slot));
            }
            // The two directions are independent: one on each thread, every step's products then on one core.
            Parallel.forEach(dirs, d -> ops[d].forward());
            for (SequenceOp op : ops) if (!y.requiresGrad()) op.release();
            if (y.requiresGrad()) Tape.record(dirs == 2 ? new BidirectionalOp(ops[0], ops[1]) : ops[0]);
            boolean dropout = k < config.numLayers() - 1 && config.dropout() > 0 && training();
            layerInput = dropout ? y.dropout(config.dropout(), rng, true) : y;
        }
        return new RecurrentOutput(y, new RecurrentState(hN, cN));
    }

    private void checkState(RecurrentState s, int batch) {
        checkState(config, s, batch);
    }

    /** Throws when a state does not fit a stack of {@code config} and a batch of {@code batch}. */
    static void checkState(RecurrentConfig config, RecurrentState s, int batch) {
        if (s == null) return;
        int n = config.numLayers() * config.directions();
        String owner = config.describe();
        checkShape(owner, "h0", s.h(), n, batch, config.outputSize());
        if (config.cell() == CellType.LSTM) {
            if (s.c() == null) throw new IllegalArgumentException(owner + ": the initial state has h0 but no c0; an LSTM needs both");
            checkShape(owner, "c0", s.c(), n, batch, config.hiddenSize());
        } else if (s.c() != null) {
            throw new IllegalArgumentException(owner + ": the initial state has a c0; only an LSTM has a cell state");
        }
    }

    private static void checkShape(String owner, String name, Variable v, int... expected) {
        if (!Arrays.equals(v.value().shape(), expected)) {
            throw new IllegalArgumentException(owner + ": " + name + " has shape " + v.value().shapeString() + "; expected "
                    + Arrays.toString(expected) + " [L·D, B, " + (name.equals("c0") ? "H" : "P or H") + "]");
        }
    }

    private List<Direction> directions() {
        return config.bidirectional() ? List.of(Direction.FORWARD, Direction.REVERSE) : List.of(Direction.FORWARD);
    }

    static Variable[] inputs(Variable x, Variable h0, Variable c0, List<LayerWeights> layers) {
        var all = new ArrayList<Variable>();
        all.add(x);
        if (h0 != null) all.add(h0);
        if (c0 != null) all.add(c0);
        for (LayerWeights w : layers) {
            for (Variable v : new Variable[] {w.ih(), w.hh(), w.biasIh(), w.biasHh(), w.hr()}) if (v != null) all.add(v);
        }
        return all.toArray(Variable[]::new);
    }
}
