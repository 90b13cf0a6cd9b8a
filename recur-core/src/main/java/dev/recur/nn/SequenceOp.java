package dev.recur.nn;

import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.kernel.Parallel;
import dev.recur.kernel.PackedMatrix;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One recurrent layer in one direction over a whole padded batch: a single node on the tape, with a hand-derived
 * backward pass. This class holds the time loop and the products; each step's pointwise cell is a {@link Kernels}
 * call through {@link CellMath}. The steps are derived, forward and backward, in docs/derivations/lstm.md, gru.md and
 * rnn.md; the same equations in plain loops, one unit at a time, are {@link dev.recur.kernel.ScalarKernels}' lstmCell,
 * gruCell and rnnCell and their …Backward.
 * <p>
 * Rows past a sequence's length are masked: their state is carried unchanged, their outputs stay zero and their
 * gradients pass through untouched; lengths may come in any order, and the products skip the rows after the last
 * running one, so a batch sorted longest first costs what a packed sequence does (PyTorch's {@code PackedLayer}). The
 * reverse direction runs t = T−1 .. 0, so each sequence starts from its own last valid step.
 * <p>
 * Its outputs are slices of tensors shared by the whole stack: columns of the layer output [T, B, D·P] and one
 * [B, ·] slot of h_n [L·D, B, P] and c_n [L·D, B, H]; it reads the same slot of h0 and c0.
 */
final class SequenceOp implements TapeNode {
    /** A step's rows are split over the threads only if each gets at least one 8-row register tile of the product. */
    private static final int MIN_ROWS_PER_TASK = 8;
    /** Nor unless the step's product has as many multiply-adds as VectorKernels splits a product for. */
    private static final long PARALLEL_STEP_WORK = 1L << 18;

    private final RecurrentConfig config;
    private final LayerWeights w;
    private final boolean reverse;
    private final int steps, batch, features, hidden, out, gateRows;
    private final int[] lengths;
    private final int[] span;               // span[t]: rows 0 .. span[t]−1 hold every sequence still running at t
    private final Variable input;           // [T, B, F], time-major ([B, F] for a cell)
    private final Slot initial, last;      // h0, c0 and h_n, c_n with the slot this layer and direction owns
    private final Variable output;          // [T, B, D·P] or null (a cell); this op owns columns column .. column+P
    private final int column;
    private final Workspace workspace;

    // Saved by forward for backward, indexed by time; sized once per call.
    private final Mat gates;     // [T·B, G]      activated gates (LSTM i, f, g, o; GRU r, z, n; RNN pre-activation)
    private final Mat hiddenN;   // [T·B, H]      GRU: W_hn h + b_hn, which the reset gate multiplied; reset before: r ⊙ h
    private final Mat states;    // [(T+1)·B, P]  h entering step t is row block t (forward) or t+1 (reverse)
    private final Mat cells;     // [(T+1)·B, H]  LSTM: c, laid out as states
    private final Mat memory;    // [T·B, H]      LSTM with projection: o ⊙ tanh(c) before W_hr
    private double[] dhNorms;    // [T] or null   ‖∂L/∂h_t‖ written by backward when recording (StateGradients)

    /** State tensors [L·D, B, ·] (or [B, ·] for a cell) and the [B, ·] block this op reads or writes. */
    record Slot(Variable h, Variable c, int index) {}

    /** {@code input} holds T·B rows of F features, time-major; B is the number of lengths. */
    SequenceOp(RecurrentConfig config, LayerWeights w, Direction direction, Variable input, int steps, int[] lengths,
               Slot initial, Slot last, Variable output, int column, Workspace workspace) {
        this.config = config;
        this.w = w;
        this.reverse = direction == Direction.REVERSE;
        this.input = input;
        this.lengths = lengths;
        this.initial = initial;
        this.last = last;
        this.output = output;
        this.column = column;
        this.workspace = workspace;
        this.steps = steps;
        this.batch = lengths.length;
        this.features = input.value().dim(-1);
        this.hidden = config.hiddenSize();
        this.out = config.outputSize();
        this.gateRows = config.cell().gates() * hidden;
        this.span = spans(lengths, steps);
        boolean lstm = config.cell() == CellType.LSTM, gru = config.cell() == CellType.GRU;
        int tb = steps * batch;
        // The input projection overwrites the gates and every step writes its rows of states and cells (running rows
        // by the cell, the others by carry); only the state entering the first step is filled below.
        gates = workspace.borrow(tb, gateRows);
        hiddenN = gru ? workspace.borrow(tb, hidden) : null;   // written for running rows, read back for those only
        states = workspace.borrow(tb + batch, out);
        cells = lstm ? workspace.borrow(tb + batch, hidden) : null;
        memory = lstm && config.projSize() > 0 ? workspace.take(tb, hidden) : null;
    }

    @Override
    public Variable output() {
        return output != null ? output : last.h();
    }

    @Override
    public List<Variable> outputs() {
        var all = new ArrayList<Variable>(3);
        if (output != null) all.add(output);
        all.add(last.h());
        if (last.c() != null) all.add(last.c());
        return all;
    }

    /**
     * Makes backward write, for every step t, the norm over the whole batch of the total gradient reaching the state
     * leaving step t, ‖∂L/∂h_t‖ — the dh carried back from later steps plus the output's own gradient — into
     * {@code norms[t]}. Off (null) by default, and then it costs nothing.
     */
    void recordStateGradients(double[] norms) {
        this.dhNorms = norms;
    }

    /** Runs the layer, writing its output columns and its h_n, c_n slot. */
    void forward() {
        // Every step's input projection at once: [T·B, F] · [F, G]. Its bias is added by each step to its own rows,
        // just after its recurrent product, while they are in cache: a pass over the whole [T·B, G] here read and
        // wrote it from memory (3–4 ms of a 2-layer GRU's forward pass at batch 64, hidden 512).
        Kernels.get().matmul(Mat.of(input.value(), steps * batch, features), weight(w.ih()).t(), gates);
        if (initial.h() != null) copy(slot(initial.h(), initial.index()), block(states, entering(first())));
        else block(states, entering(first())).fill(0f);
        if (cells != null && initial.c() != null) copy(slot(initial.c(), initial.index()), block(cells, entering(first())));
        else if (cells != null) block(cells, entering(first())).fill(0f);

        var pass = new ForwardPass();
        Rows[] split = pass.split;
        if (split.length == 1) {
            for (int s = 0; s < steps; s++) pass.step(time(s), split[0]);
        } else {
            // The rows of a batch never meet: each run goes through every step on its own thread, no hand-over per step.
            Parallel.forEach(split.length, i -> {
                for (int s = 0; s < steps; s++) pass.step(time(s), split[i]);
            });
        }
        copy(block(states, leaving(last())), slot(last.h(), last.index()));
        if (cells != null) copy(block(cells, leaving(last())), slot(last.c(), last.index()));
        workspace.give(pass.hiddenGates);
    }

    /** What every step of a forward pass uses besides the saved buffers; made once per pass. */
    private final class ForwardPass {
        final Rows[] split;        //          runs of rows, one per thread, or the whole batch as one
        final float[] bias;        // [G]      b_ih + b_hh (b_ih alone for the GRU), added by each step; null without biases
        final Mat hiddenGates;     // [B, G]   GRU: W_hh h + b_hh of the step being taken; else null
        final Product whhT;        // [P, G]   W_hhᵀ; GRU with the reset before: its r, z block [H, 2H]
        final Product whnT;        // [H, H]   GRU with the reset before: W_hnᵀ, a second product after r; else null
        final Product whrT;        // [H, P]   W_hrᵀ: LSTM with projection; else null

        ForwardPass() {
            bias = gateBias();
            hiddenGates = config.cell() == CellType.GRU ? workspace.take(batch, gateRows) : null;
            split = split();
            whhT = product(recurrentBlock().t(), split);
            whnT = resetBefore() ? product(weight(w.hh()).rows(2 * hidden, 3 * hidden).t(), split) : null;
            whrT = memory != null ? product(weight(w.hr()).t(), split) : null;
        }

        /** Step t for one run of rows of the batch: the recurrent product, the cell and the copies, all on those rows. */
        void step(int t, Rows rows) {
            int b0 = rows.from(), b1 = b0 + rows.lengths().length;
            int[] len = rows.lengths();
            // Products cover rows b0 .. span−1 only: in a batch sorted longest first, exactly the running ones.
            int n = Math.max(0, Math.min(span[t], b1) - b0);
            Mat hPrev = block(states, entering(t)).rows(b0, b1), hNext = block(states, leaving(t)).rows(b0, b1);
            Mat g = block(gates, t).rows(b0, b1);
            Kernels k = Kernels.get();
            switch (config.cell()) {
                case LSTM -> {
                    // The only sequential product: gates_t += h_{t-1} · W_hhᵀ, [B, P] · [P, 4H].
                    whhT.multiplyAdd(hPrev.rows(n), g.rows(n));
                    if (bias != null) k.addRowVector(g.rows(n), bias, 0);
                    Mat cPrev = block(cells, entering(t)).rows(b0, b1), cNext = block(cells, leaving(t)).rows(b0, b1);
                    Mat m = memory != null ? block(memory, t).rows(b0, b1) : hNext;
                    CellMath.lstmForward(g, cPrev, cNext, m, len, t);
                    // Projection h = m · W_hrᵀ, [B, H] · [H, P]; finished rows are overwritten by carry below.
                    if (memory != null) whrT.multiply(m.rows(n), hNext.rows(n));
                    CellMath.carry(cPrev, cNext, len, t);
                }
                case GRU -> {
                    Mat hidden = hiddenGates.rows(b0, b1);
                    if (bias != null) k.addRowVector(g.rows(n), bias, 0);
                    if (resetBefore()) {
                        gruResetBefore(t, b0, len, n, hPrev, hNext, g, hidden);
                    } else {
                        whhT.multiply(hPrev.rows(n), hidden.rows(n));
                        if (w.biasHh() != null) addBias(hidden.rows(n), w.biasHh(), 0);
                        CellMath.gruForward(g, hidden, hPrev, hNext, block(hiddenN, t).rows(b0, b1), len, t);
                    }
                }
                case RNN -> {
                    whhT.multiplyAdd(hPrev.rows(n), g.rows(n));
                    if (bias != null) k.addRowVector(g.rows(n), bias, 0);
                    CellMath.rnnForward(g, hNext, config.nonlinearity(), len, t);
                }
            }
            CellMath.carry(hPrev, hNext, len, t);
            if (output != null) writeOutput(hNext, t, b0, len);
        }

        /**
         * A GRU step with the reset before the product: r and z from h·W_hhᵀ's r, z block, [B, H] · [H, 2H]; then
         * W_hn (r ⊙ h), [B, H] · [H, H], which needs r; then n and h'. r ⊙ h is saved for backward.
         */
        private void gruResetBefore(int t, int b0, int[] len, int n, Mat hPrev, Mat hNext, Mat g, Mat recurrent) {
            int h = hidden;
            Mat rz = recurrent.cols(0, 2 * h), hn = recurrent.cols(2 * h, 3 * h);
            Mat resetH = block(hiddenN, t).rows(b0, b0 + len.length);
            whhT.multiply(hPrev.rows(n), rz.rows(n));
            if (w.biasHh() != null) addBias(rz.rows(n), w.biasHh(), 0);
            CellMath.gruResetGates(g, rz, hPrev, resetH, len, t);
            // Finished rows read as zeros: the product below and dW_hn after backward's loop read every row.
            zeroFinishedRows(resetH, t, len);
            whnT.multiply(resetH.rows(n), hn.rows(n));
            if (w.biasHh() != null) addBias(hn.rows(n), w.biasHh(), 2 * h);
            CellMath.gruResetBeforeForward(g, hn, hPrev, hNext, len, t);
        }
    }

    /** A GRU with the reset gate before the recurrent product (RecurrentConfig.withResetBefore). */
    private boolean resetBefore() {
        return config.cell() == CellType.GRU && !config.resetAfter();
    }

    /** The rows of W_hh [G, P] that multiply h itself: all, but only the r, z block [2H, H] when the reset comes before. */
    private Mat recurrentBlock() {
        return resetBefore() ? weight(w.hh()).rows(0, 2 * hidden) : weight(w.hh());
    }

    /** The bias of W_ih x: b_ih + b_hh summed once (b_ih alone for the GRU, whose b_hh is inside r ⊙ (W_hn h + b_hn)); null without biases. */
    private float[] gateBias() {
        Variable bih = w.biasIh(), bhh = config.cell() == CellType.GRU ? null : w.biasHh();
        if (bih == null && bhh == null) return null;
        float[] sum = new float[gateRows];
        for (Variable b : new Variable[] {bih, bhh}) {
            if (b == null) continue;
            Tensor v = b.value();
            for (int j = 0; j < gateRows; j++) sum[j] += v.data()[v.offset() + j];
        }
        return sum;
    }

    /** Run {@code index} of a split: rows from .. from + lengths.length − 1 of the batch, and their lengths. */
    private record Rows(int index, int from, int[] lengths) {}

    /**
     * How the rows of the batch are split over the threads: all rows together when there is one thread, one step, or
     * too little work; else one run of rows per thread. A run then goes through every step as one task, product and
     * cell on the same rows — the rows of a batch never depend on each other — instead of a product split by columns
     * and then a cell split by rows: one hand-over per layer, not two per step, no core waiting for the other at each
     * step, and no row computed on one core and read on the other.
     */
    private Rows[] split() {
        int threads = Parallel.threads(), per = ceilDiv(batch, threads);
        if (steps <= 1 || threads == 1 || per < MIN_ROWS_PER_TASK || (long) batch * gateRows * out < PARALLEL_STEP_WORK) {
            return whole();
        }
        Rows[] split = new Rows[ceilDiv(batch, per)];
        for (int i = 0; i < split.length; i++) {
            int b0 = i * per;
            split[i] = new Rows(i, b0, Arrays.copyOfRange(lengths, b0, Math.min(batch, b0 + per)));
        }
        return split;
    }

    /** The whole batch as one run of rows. */
    private Rows[] whole() {
        return new Rows[] {new Rows(0, 0, lengths)};
    }

    /** Gives the buffers saved for backward back to the workspace; call when backward will not run. */
    void release() {
        workspace.give(gates, hiddenN, states, cells, memory);
    }

    @Override
    public void backward() {
        backwardInput(backwardThroughTime());
    }

    /** The gradients of h0, c0 and this direction's weights, not yet the input's; returns d(W_ih x + b_ih) for that. */
    Mat backwardThroughTime() {
        var pass = new BackwardPass();
        if (last.h().grad() != null) copy(slot(last.h().grad(), last.index()), pass.dh);
        if (pass.dc != null && last.c().grad() != null) copy(slot(last.c().grad(), last.index()), pass.dc);
        Rows[] split = pass.split;
        // A single run goes on the calling thread with products on every thread; several, one per thread.
        Parallel.forEach(split.length, i -> {
            for (int s = steps - 1; s >= 0; s--) pass.step(time(s), split[i]);
        });
        if (initial.h() != null && initial.h().requiresGrad()) addInto(pass.dh, slot(initial.h().gradBuffer(), initial.index()));
        if (pass.dc != null && initial.c() != null && initial.c().requiresGrad()) {
            addInto(pass.dc, slot(initial.c().gradBuffer(), initial.index()));
        }

        // Weight and input gradients: a few large products after the loop, accumulated into .grad.
        Kernels k = Kernels.get();
        int tb = steps * batch;
        Mat x = Mat.of(input.value(), tb, features);
        Mat hPrevAll = reverse ? states.rows(batch, tb + batch) : states.rows(0, tb);   // h entering every step, by time
        if (w.ih().requiresGrad()) k.matmulAdd(pass.dGatesX.t(), x, gradient(w.ih()));          // [G, T·B] · [T·B, F]
        if (w.hh().requiresGrad() && !resetBefore()) k.matmulAdd(pass.dGatesH.t(), hPrevAll, gradient(w.hh()));   // [G, T·B] · [T·B, P]
        if (w.hh().requiresGrad() && resetBefore()) {
            // dW_hr, dW_hz = d(r, z)ᵀ · h, [2H, T·B] · [T·B, H]; dW_hn = dnᵀ · (r ⊙ h), [H, T·B] · [T·B, H].
            int h = hidden;
            k.matmulAdd(pass.dGatesH.cols(0, 2 * h).t(), hPrevAll, gradient(w.hh()).rows(0, 2 * h));
            k.matmulAdd(pass.dGatesH.cols(2 * h, 3 * h).t(), hiddenN, gradient(w.hh()).rows(2 * h, 3 * h));
        }
        if (pass.sumsX != null) addSums(pass.sumsX, w.biasIh());
        // b_hh: the GRU's from its own sums; the others' is the same as b_ih's, d(W_hh h + b_hh) = d(W_ih x + b_ih).
        if (pass.sumsH != null) addSums(pass.sumsH, w.biasHh());
        else if (w.biasHh() != null && w.biasHh().requiresGrad()) {
            addSums(pass.sumsX != null ? pass.sumsX : sums(pass.dGatesX), w.biasHh());
        }
        if (memory != null && w.hr().requiresGrad()) k.matmulAdd(pass.dProj.t(), memory, gradient(w.hr()));   // [P, T·B] · [T·B, H]
        workspace.give(pass.dGatesH == pass.dGatesX ? null : pass.dGatesH, pass.dh, pass.dc, pass.dProj, pass.dm, pass.dResetH);
        return pass.dGatesX;
    }

    /** The gradients a backward pass carries from step to step and the weights it multiplies them by; made once per pass. */
    private final class BackwardPass {
        final Mat dGatesX;         // [T·B, G]  d(W_ih x + b_ih): every step writes all its rows, zero where padded
        final Mat dGatesH;         // [T·B, G]  GRU: d(W_hh h + b_hh), likewise; else dGatesX itself
        final Mat dh;              // [B, P]    carried from step t+1 into step t
        final Mat dc;              // [B, H]    LSTM: likewise; else null
        final Mat dProj;           // [T·B, P]  LSTM with projection: dh at each step, for dW_hr; else null
        final Mat dm;              // [B, H]    LSTM with projection: d(o ⊙ tanh c) = dh · W_hr; else dh itself
        final Mat dOutput;         // [T·B, P]  this direction's columns of the output's gradient; null if none
        final Rows[] split;        //           runs of rows, one per thread, or the whole batch as one
        final Mat dResetH;         // [B, H]    GRU with the reset before: d(r ⊙ h) = dn · W_hn; else null
        final Product wHh;         // [G, P]    W_hh; GRU with the reset before: its r, z block [2H, H]
        final Product wHn;         // [H, H]    GRU with the reset before: W_hn; else null
        final Product wHr;         // [P, H]    W_hr: LSTM with projection; else null
        final float[][] sumsX;     // [runs, G] d b_ih summed by each run of rows; null when b_ih needs none
        final float[][] sumsH;     // [runs, G] the GRU's d b_hh, likewise

        BackwardPass() {
            int tb = steps * batch;
            dGatesX = workspace.borrow(tb, gateRows);
            dGatesH = config.cell() == CellType.GRU ? workspace.borrow(tb, gateRows) : dGatesX;
            dh = workspace.take(batch, out);
            dc = cells != null ? workspace.take(batch, hidden) : null;
            dProj = memory != null ? workspace.take(tb, out) : null;
            dm = memory != null ? workspace.take(batch, hidden) : dh;
            dOutput = output != null && output.grad() != null
                    ? Mat.of(output.grad(), tb, output.value().dim(2)).cols(column, column + out) : null;
            // With state-gradient norms recorded, every step runs whole: the norm is over the batch.
            split = dhNorms == null ? split() : whole();
            wHh = product(recurrentBlock(), split);
            wHn = resetBefore() ? product(weight(w.hh()).rows(2 * hidden, 3 * hidden), split) : null;
            dResetH = resetBefore() ? workspace.take(batch, hidden) : null;
            wHr = memory != null ? product(weight(w.hr()), split) : null;
            // The bias gradients are summed by each step over its own rows while they are in cache, per run of rows,
            // and the runs' sums added at the end (one pass over the whole [T·B, G] after the loop read it back from memory).
            boolean dbIh = w.biasIh() != null && w.biasIh().requiresGrad();
            boolean dbHh = w.biasHh() != null && w.biasHh().requiresGrad() && config.cell() == CellType.GRU;
            sumsX = dbIh ? new float[split.length][gateRows] : null;
            sumsH = dbHh ? new float[split.length][gateRows] : null;
        }

        /**
         * Step t backwards for one run of rows (see {@link ForwardPass#step}): dh gains the output's gradient, the cell
         * turns it into the gates' gradients, and dh_{t-1} = dGates_t · W_hh plus what passes through finished rows.
         */
        void step(int t, Rows rows) {
            int b0 = rows.from(), b1 = b0 + rows.lengths().length, n = Math.max(0, Math.min(span[t], b1) - b0);
            int[] len = rows.lengths();
            Mat dhRows = dh.rows(b0, b1), g = block(gates, t).rows(b0, b1), dg = block(dGatesX, t).rows(b0, b1);
            if (dOutput != null) addRunningRows(block(dOutput, t).rows(b0, b1), dhRows, t, len);
            if (dhNorms != null) dhNorms[t] = norm(dh);   // recorded only when the step runs whole
            switch (config.cell()) {
                case LSTM -> {
                    Mat dmRows = dm.rows(b0, b1);
                    if (dProj != null) {
                        // dm = dh · W_hr, [B, P] · [P, H]; dh is kept per step for dW_hr.
                        Mat dp = block(dProj, t).rows(b0, b1);
                        copyRunningRows(dhRows, dp, t, len);
                        wHr.multiply(dp.rows(n), dmRows.rows(n));
                    }
                    CellMath.lstmBackward(g, block(cells, entering(t)).rows(b0, b1), block(cells, leaving(t)).rows(b0, b1),
                            dmRows, dhRows, dc.rows(b0, b1), dg, len, t);
                }
                case GRU -> {
                    Mat hPrev = block(states, entering(t)).rows(b0, b1), dgH = block(dGatesH, t).rows(b0, b1);
                    if (resetBefore()) {
                        // dz, dn and dh' ⊙ z; then d(r ⊙ h) = dn · W_hn, [B, H] · [H, H]; then dr and dh += d(r ⊙ h) ⊙ r.
                        CellMath.gruResetBeforeBackward(g, hPrev, dhRows, dg, dgH, len, t);
                        zeroFinishedRows(dgH, t, len);
                        Mat dResetRows = dResetH.rows(b0, b1);
                        wHn.multiply(dgH.cols(2 * hidden, 3 * hidden).rows(n), dResetRows.rows(n));
                        CellMath.gruResetGatesBackward(g, hPrev, dResetRows, dhRows, dg, dgH, len, t);
                    } else {
                        CellMath.gruBackward(g, block(hiddenN, t).rows(b0, b1), hPrev, dhRows, dg, dgH, len, t);
                    }
                }
                case RNN -> CellMath.rnnBackward(block(states, leaving(t)).rows(b0, b1), dhRows, dg, config.nonlinearity(), len, t);
            }
            // The cell wrote the running rows; the others' gradients are zero, so their dh passes through the product.
            Mat dgH = block(dGatesH, t).rows(b0, b1);
            zeroFinishedRows(dg, t, len);
            if (dGatesH != dGatesX) zeroFinishedRows(dgH, t, len);
            // This run's bias sums (see the constructor), while the rows are in cache.
            if (sumsX != null) Kernels.get().sumRowsAdd(dg, sumsX[rows.index()], 0);
            if (sumsH != null) Kernels.get().sumRowsAdd(dgH, sumsH[rows.index()], 0);
            // dh_{t-1} += dGates_t · W_hh, [B, G] · [G, P] (the r, z block alone, [B, 2H] · [2H, H], with the reset before).
            wHh.multiplyAdd((resetBefore() ? dgH.cols(0, 2 * hidden) : dgH).rows(n), dhRows.rows(n));
        }
    }

    /** The column sums of m as one run's sums, when they were not gathered step by step. */
    private static float[][] sums(Mat m) {
        float[] all = new float[m.cols()];
        Kernels.get().sumRowsAdd(m, all, 0);
        return new float[][] {all};
    }

    private static void addSums(float[][] runs, Variable bias) {
        Tensor g = bias.gradBuffer();
        float[] d = g.data();
        for (float[] run : runs) for (int j = 0; j < run.length; j++) d[g.offset() + j] += run[j];
    }

    private static void zeroFinishedRows(Mat m, int t, int[] len) {
        for (int b = 0; b < len.length; b++) {
            if (t >= len[b]) Arrays.fill(m.data(), m.index(b, 0), m.index(b, 0) + m.cols(), 0f);
        }
    }

    /** dx += dGates · W_ih, [T·B, G] · [G, F]; then the buffers go back to the workspace. */
    void backwardInput(Mat dGatesX) {
        if (input.requiresGrad()) {
            Kernels.get().matmulAdd(dGatesX, weight(w.ih()), Mat.of(input.gradBuffer(), steps * batch, features));
        }
        workspace.give(dGatesX);
        release();
    }

    /** Creates the gradient buffers both directions of a layer write into, before they run at once. */
    void prepareGradients() {
        if (initial.h() != null && initial.h().requiresGrad()) initial.h().gradBuffer();
        if (initial.c() != null && initial.c().requiresGrad()) initial.c().gradBuffer();
    }

    /** A right operand B of every step's product, for the threads a split leaves to each product. */
    private Product product(Mat b, Rows[] split) {
        Kernels k = Kernels.get();
        return new Product(k, b, steps > 1 ? k.pack(b) : null, split.length > 1 ? Threads.CALLER : Threads.ALL);
    }

    /** Which threads run a step's products. */
    private enum Threads {
        /** All of them, each product split by the kernels: the whole batch is one run of rows. */
        ALL,
        /** The calling one: the rows are split over the threads, one run each, and each run makes its own products. */
        CALLER
    }

    /** A right operand used by every step: packed once when there are several steps, else read in place. */
    private record Product(Kernels k, Mat b, PackedMatrix packed, Threads threads) {
        /** c = a·B. */
        void multiply(Mat a, Mat c) {
            if (threads == Threads.CALLER) k.gemmColumns(1f, a, packed, 0, c.cols(), 0f, c);
            else if (packed != null) k.matmul(a, packed, c);
            else k.matmul(a, b, c);
        }

        /** c += a·B. */
        void multiplyAdd(Mat a, Mat c) {
            if (threads == Threads.CALLER) k.gemmColumns(1f, a, packed, 0, c.cols(), 1f, c);
            else if (packed != null) k.matmulAdd(a, packed, c);
            else k.matmulAdd(a, b, c);
        }
    }

    private static int[] spans(int[] lengths, int steps) {
        int[] span = new int[steps];
        for (int b = 0; b < lengths.length; b++) for (int t = 0; t < lengths[b]; t++) span[t] = b + 1;
        return span;
    }

    /** The time step the s-th step of a sweep takes: s, or T−1−s in the reverse direction. */
    private int time(int s) {
        return reverse ? steps - 1 - s : s;
    }

    private int first() {
        return reverse ? steps - 1 : 0;
    }

    private int last() {
        return reverse ? 0 : steps - 1;
    }

    /** The row block of the state entering step t. */
    private int entering(int t) {
        return reverse ? t + 1 : t;
    }

    private int leaving(int t) {
        return reverse ? t : t + 1;
    }

    private Mat block(Mat m, int t) {
        return m.rows(t * batch, (t + 1) * batch);
    }

    private Mat slot(Variable v, int index) {
        return slot(v.value(), index);
    }

    private Mat slot(Tensor t, int index) {
        return Mat.of(t).rows(index * batch, (index + 1) * batch);
    }

    /** Copies the running rows of hNext, rows b0 .. of the batch with lengths {@code len}, into the output. */
    private void writeOutput(Mat hNext, int t, int b0, int[] len) {
        Mat y = block(Mat.of(output.value(), steps * batch, output.value().dim(2)).cols(column, column + out), t);
        copyRunningRows(hNext, y.rows(b0, b0 + len.length), t, len);
    }

    /** Row b of {@code to} = row b of {@code from} for the rows still running at t; {@code len} holds their lengths. */
    private static void copyRunningRows(Mat from, Mat to, int t, int[] len) {
        for (int b = 0; b < len.length; b++) {
            if (t >= len[b]) continue;
            System.arraycopy(from.data(), from.index(b, 0), to.data(), to.index(b, 0), from.cols());
        }
    }

    private static void addRunningRows(Mat from, Mat to, int t, int[] len) {
        float[] src = from.data(), dst = to.data();
        for (int b = 0; b < len.length; b++) {
            if (t >= len[b]) continue;
            int i = from.index(b, 0), o = to.index(b, 0);
            for (int j = 0; j < from.cols(); j++) dst[o + j] += src[i + j];
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static double norm(Mat m) {
        double sq = 0;
        for (int r = 0; r < m.rows(); r++) for (int j = 0; j < m.cols(); j++) sq += (double) m.get(r, j) * m.get(r, j);
        return Math.sqrt(sq);
    }

    private static void copy(Mat from, Mat to) {
        for (int r = 0; r < from.rows(); r++) System.arraycopy(from.data(), from.index(r, 0), to.data(), to.index(r, 0), from.cols());
    }

    private static void addInto(Mat from, Mat to) {
        for (int r = 0; r < from.rows(); r++) for (int j = 0; j < from.cols(); j++) to.set(r, j, to.get(r, j) + from.get(r, j));
    }

    private static Mat weight(Variable v) {
        return Mat.of(v.value());
    }

    private static Mat gradient(Variable v) {
        return Mat.of(v.gradBuffer());
    }

    /** Adds bias[from .. from + m.cols()] to every row of m. */
    private static void addBias(Mat m, Variable bias, int from) {
        Kernels.get().addRowVector(m, bias.value().data(), bias.value().offset() + from);
    }

}
