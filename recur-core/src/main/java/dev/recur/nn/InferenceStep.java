package dev.recur.nn;

import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.tensor.Tensor;
import java.util.List;

/**
 * One time step of a unidirectional stack for inference, without the tape: per layer, the gates
 * x·W_ihᵀ + h·W_hhᵀ + b as two matrix-vector products reading the stored weights in place (for batch 1 the step is
 * bound by reading W_ih and W_hh), then the same gate kernel as the sequence op. Scratch buffers come from the
 * module's workspace; only the new state (and the output view of it) is allocated.
 */
final class InferenceStep {
    private InferenceStep() {}

    /** Runs {@code input} [B, F] from {@code state} (null: zeros); returns the top layer's h [B, P] and the new state. */
    static RecurrentOutput run(RecurrentConfig config, List<LayerWeights> weights, Tensor input, RecurrentState state,
            Workspace workspace) {
        Kernels k = Kernels.get();
        int batch = input.dim(0), layers = config.numLayers(), h = config.hiddenSize(), p = config.outputSize();
        int g = config.cell().gates() * h;
        CellType cell = config.cell();
        Tensor hN = Tensor.zeros(layers, batch, p), cN = cell == CellType.LSTM ? Tensor.zeros(layers, batch, h) : null;
        Mat gates = workspace.take(batch, g), hidden = cell == CellType.GRU ? workspace.take(batch, g) : null;
        Mat scratch = workspace.take(batch, h), zeros = workspace.take(batch, Math.max(h, p));
        Mat x = Mat.of(input);
        for (int l = 0; l < layers; l++) {
            LayerWeights w = weights.get(l);
            Mat hPrev = state == null ? zeros.cols(0, p) : slot(state.h().value(), l, batch);
            Mat hNext = slot(hN, l, batch);
            // gates = x·W_ihᵀ + b_ih (+ b_hh) and, but for the GRU, + h·W_hhᵀ: [B, F]·[F, G], [B, P]·[P, G].
            k.matmul(x, Mat.of(w.ih().value()).t(), gates);
            if (w.biasIh() != null) k.addRowVector(gates, w.biasIh().value().data(), w.biasIh().value().offset());
            Mat recurrent = cell == CellType.GRU ? hidden : gates, whh = Mat.of(w.hh().value());
            if (!config.resetAfter()) {
                // The reset before W_hn: r, z from the r, z block, [B, H]·[H, 2H]; then W_hn (r ⊙ h) + b_hn, n and h'.
                Mat rz = hidden.cols(0, 2 * h), hn = hidden.cols(2 * h, 3 * h);
                k.matmul(hPrev, whh.rows(0, 2 * h).t(), rz);
                if (w.biasHh() != null) k.addRowVector(rz, w.biasHh().value().data(), w.biasHh().value().offset());
                k.gruResetGates(gates, rz, hPrev, scratch);
                k.matmul(scratch, whh.rows(2 * h, 3 * h).t(), hn);
                if (w.biasHh() != null) k.addRowVector(hn, w.biasHh().value().data(), w.biasHh().value().offset() + 2 * h);
                k.gruResetBeforeCell(gates, hn, hPrev, hNext);
                x = hNext;
                continue;
            }
            k.gemm(1f, hPrev, whh.t(), cell == CellType.GRU ? 0f : 1f, recurrent);
            if (w.biasHh() != null) k.addRowVector(recurrent, w.biasHh().value().data(), w.biasHh().value().offset());
            switch (cell) {
                case LSTM -> {
                    Mat cPrev = state == null ? zeros.cols(0, h) : slot(state.c().value(), l, batch);
                    Mat m = w.hr() != null ? scratch : hNext;
                    k.lstmCell(gates, cPrev, slot(cN, l, batch), m);
                    if (w.hr() != null) k.matmul(m, Mat.of(w.hr().value()).t(), hNext);
                }
                case GRU -> k.gruCell(gates, hidden, hPrev, hNext, scratch);
                case RNN -> {
                    for (int b = 0; b < batch; b++) {
                        int from = gates.index(b, 0), to = hNext.index(b, 0);
                        if (config.nonlinearity() == Nonlinearity.TANH) {
                            k.tanh(gates.data(), from, hNext.data(), to, h);
                        } else {
                            for (int j = 0; j < h; j++) hNext.data()[to + j] = Math.max(gates.data()[from + j], 0f);
                        }
                    }
                }
            }
            x = hNext;
        }
        workspace.give(gates, hidden, scratch, zeros);
        Tensor output = Tensor.view(hN.data(), (layers - 1) * batch * p, batch, p);
        return new RecurrentOutput(dev.recur.autograd.Variable.of(output),
                cN == null ? RecurrentState.of(hN) : RecurrentState.of(hN, cN));
    }

    private static Mat slot(Tensor t, int layer, int batch) {
        int cols = t.dim(-1);
        return Mat.of(t.data(), t.offset() + layer * batch * cols, batch, cols);
    }
}
