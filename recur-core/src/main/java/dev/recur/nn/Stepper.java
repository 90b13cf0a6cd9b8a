package dev.recur.nn;

import dev.recur.autograd.Variable;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.kernel.PackedMatrix;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Step-by-step inference over a snapshot of a unidirectional stack's weights, made by {@link Recurrent#stepper()}:
 * for generating text or serving a stream, where each step is a batch of one or a few rows and reading the
 * weights is the whole cost. Later changes to the module's weights are not seen: make a new stepper after
 * training further. {@link #step} gives the same results as {@link Recurrent#step} (up to rounding). Not
 * thread-safe: one per thread.
 * <p>
 * For an LSTM without projection, each layer's [W_ih | W_hh]ᵀ is packed once into one matrix [I + H, 4H] whose
 * columns are grouped by blocks of hidden units, one block per thread: a step is, per layer, one pass over the
 * packed weights in which each thread computes the four gates of its own units from [x, h] and runs the cell on
 * them — one synchronisation per layer, the gates never leave the thread. Other cells step through the
 * general path on copied weights.
 */
public final class Stepper {
    private final RecurrentConfig config;
    private final List<LayerWeights> weights;   // copies, for the general path
    private final Packed[] packed;               // the fused LSTM path, or null
    private final Workspace workspace = new Workspace();

    /**
     * One layer's packed gate weights: block b holds units [b·n, min(H, (b + 1)·n)), columns i | f | g | o. Either
     * [W_ih | W_hh]ᵀ as one matrix {@code w}, or (int8 weights, whose input and recurrent rows have scales of their
     * own) W_ihᵀ and W_hhᵀ apart.
     */
    private record Packed(PackedMatrix w, PackedMatrix ih, PackedMatrix hh, float[] bias, int inputs, int blocks, int unitsPerBlock) {}

    Stepper(RecurrentConfig config, List<LayerWeights> live) {
        if (config.bidirectional()) {
            throw new IllegalStateException(config.describe() + ": stepping needs a unidirectional layer; a reverse direction reads the whole sequence");
        }
        this.config = config;
        var copies = new ArrayList<LayerWeights>();
        for (LayerWeights w : live) {
            copies.add(new LayerWeights(copy(w.ih()), copy(w.hh()), copy(w.biasIh()), copy(w.biasHh()), copy(w.hr())));
        }
        this.weights = List.copyOf(copies);
        boolean fused = config.cell() == CellType.LSTM && config.outputSize() == config.hiddenSize();
        this.packed = fused ? weights.stream().map(Stepper::pack).toArray(Packed[]::new) : null;
    }

    /**
     * One step for every layer: input [B, F], state as returned by a previous step or {@link Recurrent#forward}
     * (null: zeros). Returns the top layer's output [B, P] and the new state.
     */
    public RecurrentOutput step(Tensor input, RecurrentState state) {
        if (input.rank() != 2 || input.dim(1) != config.inputSize()) {
            throw new IllegalArgumentException(config.describe() + ": step input has shape " + input.shapeString()
                    + "; expected [B, " + config.inputSize() + "]");
        }
        Recurrent.checkState(config, state, input.dim(0));
        return packed == null ? InferenceStep.run(config, weights, input, state, workspace) : lstm(input, state);
    }

    private RecurrentOutput lstm(Tensor input, RecurrentState state) {
        Kernels k = Kernels.get();
        int batch = input.dim(0), layers = config.numLayers(), h = config.hiddenSize();
        Tensor hN = Tensor.zeros(layers, batch, h), cN = Tensor.zeros(layers, batch, h);
        Mat x = Mat.of(input);
        for (int l = 0; l < layers; l++) {
            Packed p = packed[l];
            int in = p.inputs();
            // z = [x, h_prev] per row (one packed matrix) or x and h_prev apart; the gates start from the summed biases.
            Mat z = p.w() == null ? null : workspace.take(batch, in + h), gates = workspace.borrow(batch, 4 * h);
            Mat cPrev = state == null ? workspace.take(batch, h) : slot(state.c().value(), l, batch);
            Mat hPrev = state == null ? null : slot(state.h().value(), l, batch), xIn = x;
            for (int b = 0; b < batch; b++) {
                if (z != null) {
                    for (int j = 0; j < in; j++) z.set(b, j, x.get(b, j));
                    if (hPrev != null) System.arraycopy(hPrev.data(), hPrev.index(b, 0), z.data(), z.index(b, in), h);
                }
                System.arraycopy(p.bias(), 0, gates.data(), gates.index(b, 0), 4 * h);
            }
            Mat hNext = slot(hN, l, batch), cNext = slot(cN, l, batch);
            Parallel.forEach(p.blocks(), blk -> {
                int u0 = blk * p.unitsPerBlock(), n = Math.min(h, u0 + p.unitsPerBlock()) - u0;
                if (z != null) {
                    k.gemmColumns(1f, z, p.w(), 4 * u0, 4 * (u0 + n), 1f, gates);
                } else {
                    k.gemmColumns(1f, xIn, p.ih(), 4 * u0, 4 * (u0 + n), 1f, gates);
                    if (hPrev != null) k.gemmColumns(1f, hPrev, p.hh(), 4 * u0, 4 * (u0 + n), 1f, gates);
                }
                k.lstmCell(gates.cols(4 * u0, 4 * (u0 + n)), cPrev.cols(u0, u0 + n), cNext.cols(u0, u0 + n),
                        hNext.cols(u0, u0 + n));
            });
            if (z != null) workspace.give(z);
            workspace.give(gates);
            if (state == null) workspace.give(cPrev);
            x = hNext;
        }
        Tensor output = Tensor.view(hN.data(), (layers - 1) * batch * h, batch, h);
        return new RecurrentOutput(Variable.of(output), RecurrentState.of(hN, cN));
    }

    /**
     * Packs [W_ih | W_hh]ᵀ [I + H, 4H] with the columns of each block of units in gate order, so that a block's
     * columns i, f, g, o are contiguous and start on a panel boundary.
     */
    private static Packed pack(LayerWeights w) {
        Kernels k = Kernels.get();
        Mat ih = Mat.of(w.ih().value()), hh = Mat.of(w.hh().value());
        int h = hh.cols(), in = ih.cols(), g = 4 * h;
        int quantum = Math.max(1, k.packWidth() / 4);   // units per panel: a block of them fills whole panels
        int blocks = Math.max(1, Math.min(Parallel.threads(), h / quantum));
        int perBlock = (h + blocks - 1) / blocks;
        perBlock = (perBlock + quantum - 1) / quantum * quantum;
        blocks = (h + perBlock - 1) / perBlock;
        int[] rowOf = new int[g];   // the gate row of W each column takes
        float[] bias = new float[g];
        for (int u0 = 0; u0 < h; u0 += perBlock) {
            int n = Math.min(h, u0 + perBlock) - u0;
            for (int gate = 0; gate < 4; gate++) {
                for (int j = 0; j < n; j++) {
                    int col = 4 * u0 + gate * n + j, row = gate * h + u0 + j;
                    rowOf[col] = row;
                    bias[col] = (w.biasIh() != null ? w.biasIh().value().at(row) : 0f) + (w.biasHh() != null ? w.biasHh().value().at(row) : 0f);
                }
            }
        }
        // The gates' rows of W in column order, packed as Wᵀ; a quantized layer's rows keep their stored form, from
        // which the kernels make narrow panels. int8 rows of W_ih and W_hh have scales of their own: packed apart.
        QuantizedWeights qi = w.ih().value().quantized(), qh = w.hh().value().quantized();
        if (qi != null && qh != null && qi.type() == QuantizedWeights.Type.INT8 && qh.type() == QuantizedWeights.Type.INT8) {
            return new Packed(null, k.pack(Mat.of(qi.rows(rowOf).toTensor()).t()), k.pack(Mat.of(qh.rows(rowOf).toTensor()).t()),
                    bias, in, blocks, perBlock);
        }
        Tensor both = Tensor.zeros(g, in + h);
        for (int col = 0; col < g; col++) {
            for (int p = 0; p < in; p++) both.data()[col * (in + h) + p] = ih.get(rowOf[col], p);
            for (int p = 0; p < h; p++) both.data()[col * (in + h) + in + p] = hh.get(rowOf[col], p);
        }
        if (qi != null && qh != null && qi.type() == QuantizedWeights.Type.BF16 && qh.type() == QuantizedWeights.Type.BF16) {
            both.attach(qi.rows(rowOf).besides(qh.rows(rowOf)));
        }
        return new Packed(k.pack(Mat.of(both).t()), null, null, bias, in, blocks, perBlock);
    }

    private static Variable copy(Variable v) {
        return v == null ? null : Variable.of(v.value().copy());
    }

    private static Mat slot(Tensor t, int layer, int batch) {
        int cols = t.dim(-1);
        return Mat.of(t.data(), t.offset() + layer * batch * cols, batch, cols);
    }
}
