package dev.recur.nn;

import dev.recur.tensor.InvalidOptionException;
/**
 * The hyperparameters of a recurrent stack ({@link Rnn}, {@link Lstm}, {@link Gru}) or cell, named as PyTorch's
 * constructor arguments. Start from {@link #lstm}, {@link #gru} or {@link #rnn} and change what differs:
 * <pre>
 * var config = RecurrentConfig.lstm(3, 5).withLayers(2).withDirections(2).withDropout(0.2f).withProjSize(4);
 * </pre>
 */
public record RecurrentConfig(
        CellType cell,               // rnn, lstm or gru
        int inputSize,               // features of the input, e.g. 3
        int hiddenSize,              // H, e.g. 512
        int numLayers,               // stacked layers, e.g. 2
        boolean bias,                // with bias_ih and bias_hh
        boolean bidirectional,       // a reverse direction per layer, outputs concatenated
        float dropout,               // on every layer's output but the last, in [0, 1)
        boolean batchFirst,          // input and output [B, T, ·] rather than [T, B, ·]
        int projSize,                // P, LSTM only: h = W_hr (o ⊙ tanh c); 0 for none
        Nonlinearity nonlinearity,   // RNN only: tanh or relu
        RecurrentInit recurrentInit, // weight_hh: uniform (PyTorch) or orthogonal
        boolean unitForgetBias,      // LSTM only: the forget gate's bias starts at 1 (bias_ih 1, bias_hh 0)
        int chronoSteps,             // LSTM only: chrono initialisation for dependencies up to this many steps; 0 = off
        boolean resetAfter) {        // GRU only: r ⊙ (W_hn h + b_hn) as PyTorch (true), or W_hn (r ⊙ h) + b_hn (false)

    public RecurrentConfig {
        if (cell == null || nonlinearity == null || recurrentInit == null) {
            throw new IllegalArgumentException("cell, nonlinearity and recurrentInit must be given");
        }
        require(inputSize > 0, "inputSize must be positive, got %d", inputSize);
        require(hiddenSize > 0, "hiddenSize must be positive, got %d", hiddenSize);
        require(numLayers > 0, "numLayers must be positive, got %d", numLayers);
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got %s", dropout);
        require(projSize >= 0, "projSize must be zero or positive, got %d", projSize);
        require(projSize == 0 || cell == CellType.LSTM, "projSize is for an LSTM only; this is %s", cell);
        require(projSize < hiddenSize, "projSize must be smaller than hiddenSize=%d, got %d", hiddenSize, projSize);
        require(nonlinearity == Nonlinearity.TANH || cell == CellType.RNN, "nonlinearity is for an RNN only; this is %s", cell);
        require(!unitForgetBias || (cell == CellType.LSTM && bias), "unitForgetBias needs an LSTM with bias; this is %s, bias=%s", cell, bias);
        require(chronoSteps == 0 || (chronoSteps >= 2 && cell == CellType.LSTM && bias && !unitForgetBias),
                "chronoSteps needs an LSTM with bias, without unitForgetBias, and at least 2 steps; got %s", chronoSteps);
        require(resetAfter || cell == CellType.GRU, "resetAfter=false (reset before) is for a GRU only; this is %s", cell);
    }

    /** The fields before resetAfter, which is then true: every cell as PyTorch's. */
    public RecurrentConfig(CellType cell, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean bidirectional,
            float dropout, boolean batchFirst, int projSize, Nonlinearity nonlinearity, RecurrentInit recurrentInit,
            boolean unitForgetBias, int chronoSteps) {
        this(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, projSize, nonlinearity,
                recurrentInit, unitForgetBias, chronoSteps, true);
    }

    public static RecurrentConfig lstm(int inputSize, int hiddenSize) {
        return of(CellType.LSTM, inputSize, hiddenSize);
    }

    public static RecurrentConfig gru(int inputSize, int hiddenSize) {
        return of(CellType.GRU, inputSize, hiddenSize);
    }

    /** An Elman RNN with tanh; see {@link #withNonlinearity}. */
    public static RecurrentConfig rnn(int inputSize, int hiddenSize) {
        return of(CellType.RNN, inputSize, hiddenSize);
    }

    /** PyTorch's defaults: one layer, bias, one direction, no dropout, time-major, no projection. */
    public static RecurrentConfig of(CellType cell, int inputSize, int hiddenSize) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, 1, true, false, 0f, false, 0,
                Nonlinearity.TANH, RecurrentInit.UNIFORM, false, 0, true);
    }

    public RecurrentConfig withLayers(int n) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, n, bias, bidirectional, dropout, batchFirst, projSize, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withBias(boolean on) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, on, bidirectional, dropout, batchFirst, projSize, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    /** 1 or 2 directions. */
    public RecurrentConfig withDirections(int d) {
        require(d == 1 || d == 2, "directions must be 1 or 2, got %d", d);
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, d == 2, dropout, batchFirst, projSize, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withDropout(float p) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, p, batchFirst, projSize, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withBatchFirst() {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, true, projSize, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withProjSize(int p) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, p, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withNonlinearity(Nonlinearity n) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, projSize, n, recurrentInit, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withRecurrentInit(RecurrentInit init) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, projSize, nonlinearity, init, unitForgetBias, chronoSteps, resetAfter);
    }

    public RecurrentConfig withUnitForgetBias() {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, projSize, nonlinearity, recurrentInit, true, 0, resetAfter);
    }

    /**
     * Chrono initialisation (Tallec &amp; Ollivier, 2018) for dependencies of up to {@code maxSteps} steps: the forget
     * gate's bias b_f ~ log U(1, maxSteps − 1) and the input gate's b_i = −b_f (in bias_ih; bias_hh is 0 there), so
     * the cell's memory starts with time constants spread over 1 .. maxSteps instead of forgetting in a few steps.
     */
    public RecurrentConfig withChronoInit(int maxSteps) {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, projSize, nonlinearity, recurrentInit, false, maxSteps, resetAfter);
    }

    /**
     * A GRU whose reset gate acts before the recurrent product, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn): the form
     * of Cho et al. (2014), Keras' reset_after=False and ONNX's default linear_before_reset=0. Same weights, shapes and
     * gate order as PyTorch's GRU, which is the default (reset after: r ⊙ (W_hn h + b_hn)).
     */
    public RecurrentConfig withResetBefore() {
        return new RecurrentConfig(cell, inputSize, hiddenSize, numLayers, bias, bidirectional, dropout, batchFirst, projSize, nonlinearity, recurrentInit, unitForgetBias, chronoSteps, false);
    }

    /** D: 1 or 2. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The size of h: projSize when projecting, else hiddenSize. */
    public int outputSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** The input features of layer {@code k}: inputSize, then D · outputSize. */
    public int layerInputSize(int k) {
        return k == 0 ? inputSize : directions() * outputSize();
    }

    /** E.g. "Lstm(3 -> 5, layers=2, bidirectional, proj=4)". */
    public String describe() {
        String name = switch (cell) {
            case RNN -> nonlinearity == Nonlinearity.RELU ? "Rnn[relu]" : "Rnn";
            case LSTM -> "Lstm";
            case GRU -> resetAfter ? "Gru" : "Gru[reset-before]";
        };
        var sb = new StringBuilder(name).append('(').append(inputSize).append(" -> ").append(hiddenSize);
        if (numLayers > 1) sb.append(", layers=").append(numLayers);
        if (bidirectional) sb.append(", bidirectional");
        if (projSize > 0) sb.append(", proj=").append(projSize);
        if (!bias) sb.append(", bias=false");
        if (dropout > 0) sb.append(", dropout=").append(dropout);
        if (batchFirst) sb.append(", batchFirst");
        return sb.append(')').toString();
    }

    private static void require(boolean ok, String format, Object... args) {
        if (!ok) throw new InvalidOptionException(String.format(format, args));
    }
}
