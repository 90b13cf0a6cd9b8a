package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.OnnxGraph.attr;
import static dev.recur.onnx.TaskExport.linear;
import static dev.recur.onnx.TaskExport.stack;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.RecurrentConfig;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A forecaster's network ({@link Forecaster}) as ONNX: the recurrent encoder and the linear head, not the feature
 * pipeline. Its inputs are the window's features in the window's scaled units, as the forecaster builds them, and its
 * output is the head's parameters in those units; scaling them back, and the head's link functions, stay with the
 * caller, who finds the normalisation, the head, its quantile levels and the interval spread in recur.config.
 * <pre>
 * direct          steps [L, B, F], known [B, K] → params [B, H, n, P]
 * autoregressive  input [T, B, F], h0 [Ls, B, Hs], c0 [Ls, B, Hs] (lstm) → params [T, B, n, P], h_n, c_n (lstm)
 * </pre>
 * L is the context, H the horizon, n the targets and P the head's parameters per step and target: 1 (mse, mae),
 * μ and raw σ (gaussian, σ = softplus(raw) + 1e-3), μ, raw σ and raw ν (student-t, ν = 2 + softplus(raw)), or the
 * quantiles at the configured levels; Ls and Hs are the network's layers and hidden size. The direct network reads
 * the last step of the encoder beside {@code known} (each target's log level, its last values and what is known of
 * each forecast step). The autoregressive one is a step graph: T = 1 per forecast step, or the context at once; its
 * samples are drawn by the caller and read back as the next step's input.
 */
public final class ForecastExport {
    private ForecastExport() {}

    /** The forecaster's network; {@code configJson} goes into the metadata. */
    public static ModelProto forecaster(Forecaster f, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        ForecasterConfig c = f.config();
        Network net = new Network(f.stateDict(), "", c.cell(), c.hiddenSize(), c.numLayers(), c.targets());
        int p = f.stateDict().get("head.bias").dim(0) / (c.decoder() == ForecasterConfig.Decoder.DIRECT ? c.horizon() * c.targets() : c.targets());
        if (c.decoder() == ForecasterConfig.Decoder.AUTOREGRESSIVE) return net.step(p, inputs, opset, configJson);
        InvalidOptionException.check(inputs == Inputs.ALL, "--inputs input applies to recurrent stacks, language models and autoregressive"
                + " forecasters; a direct forecaster's graph takes steps and known");
        return net.direct(c.context(), c.horizon(), p, opset, configJson);
    }

    /** The weights under {@code prefix} ({@code rnn.*}, {@code head.*}) of a forecaster's network. */
    record Network(Map<String, Tensor> w, String prefix, CellType cell, int hidden, int layers, int targets) {
        private RecurrentConfig rnn() {
            int features = w.get(prefix + "rnn.weight_ih_l0").dim(1);
            return RecurrentConfig.of(cell, features, hidden).withLayers(layers);
        }

        /** steps [L, B, F], known [B, K] → the last step's hidden state beside known → params [B, H, n, P]. */
        ModelProto direct(int context, int horizon, int p, int opset, String configJson) {
            var g = new OnnxGraph("forecaster");
            RecurrentConfig rc = rnn();
            int known = w.get(prefix + "head.weight").dim(1) - hidden;
            String steps = g.input("steps", FLOAT, context, "B", rc.inputSize()), knownIn = g.input("known", FLOAT, "B", known);
            RecurrentExport.Outputs r = RecurrentExport.emit(g, stack(rc, w, prefix + "rnn."), steps, "", "", "",
                    List.of("rnn_output", "rnn_h_n", "rnn_c_n"));
            String last = g.node("Squeeze", List.of(g.node("Slice", List.of(r.output(), g.initializer("starts", -1), g.initializer("ends", Long.MAX_VALUE),
                    g.initializer("axes", 0)), "last_step"), g.initializer("time_axis", 0)), "last_hidden");
            String z = g.node("Concat", List.of(last, knownIn), "head_input", attr("axis", 1));
            String flat = linear(g, z, w, prefix + "head", "head_output");
            g.output(g.node("Reshape", List.of(flat, g.initializer("shape_b_h_n_p", -1, horizon, targets, p)), "params"), FLOAT, "B", horizon, targets, p);
            return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
        }

        /** input [T, B, F] (+ h0, c0) → params [T, B, n, P], h_n, c_n: the autoregressive decoder's steps. */
        ModelProto step(int p, Inputs inputs, int opset, String configJson) {
            var g = new OnnxGraph("forecaster_step");
            RecurrentConfig rc = rnn();
            boolean lstm = cell == CellType.LSTM;
            String input = g.input("input", FLOAT, "T", "B", rc.inputSize()), h0 = "", c0 = "";
            if (inputs == Inputs.ALL) {
                h0 = g.input("h0", FLOAT, layers, "B", hidden);
                if (lstm) c0 = g.input("c0", FLOAT, layers, "B", hidden);
            }
            RecurrentExport.Outputs r = RecurrentExport.emit(g, stack(rc, w, prefix + "rnn."), input, "", h0, c0, List.of("rnn_output", "h_n", "c_n"));
            String flat = linear(g, r.output(), w, prefix + "head", "head_output");
            g.output(g.node("Reshape", List.of(flat, g.initializer("shape_t_b_n_p", 0, 0, targets, p)), "params"), FLOAT, "T", "B", targets, p);
            g.output(r.hN(), FLOAT, layers, "B", hidden);
            if (lstm) g.output(r.cN(), FLOAT, layers, "B", hidden);
            return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
        }
    }
}
