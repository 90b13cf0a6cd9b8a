package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.FLOAT;
import static dev.recur.onnx.TaskExport.linear;
import static dev.recur.onnx.TaskExport.stack;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.io.ModelFile;
import dev.recur.nn.RecurrentConfig;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.task.anomaly.AnomalyConfig;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * An anomaly detector's network ({@link AnomalyDetector}) as ONNX; the standardisation, the error scale, the
 * smoothing and the threshold stay in recur.config, with the caller. n is the number of columns.
 * <pre>
 * forecast        steps [L, B, n], known [B, K] → params [B, 1, n, 1]   the one-step forecaster's network ({@link ForecastExport})
 * reconstruction  windows [W, B, n] → reconstruction [W, B, n]          the autoencoder
 * </pre>
 * The autoencoder reads each window with its encoder, repeats the last step's hidden state W times as the decoder's
 * input, and maps the decoder's outputs back to the n columns; Recur's windows have W = context rows, each column
 * centred on its mean over the window.
 */
public final class AnomalyExport {
    private AnomalyExport() {}

    public static ModelProto detector(AnomalyDetector detector, String configJson, Inputs inputs, int opset) {
        OnnxGraph.checkOpset(opset);
        InvalidOptionException.check(inputs == Inputs.ALL, "--inputs input applies to recurrent stacks, language models and autoregressive"
                + " forecasters; an anomaly detector's graph takes all its inputs");
        AnomalyConfig c = detector.config();
        Map<String, Tensor> w = detector.stateDict();
        int n = c.spec().targets().size();
        if (c.method() == AnomalyConfig.Method.FORECAST) {
            var net = new ForecastExport.Network(w, "forecaster.", c.cell(), c.hiddenSize(), c.numLayers(), n);
            return net.direct(c.context(), 1, 1, opset, configJson);
        }
        var g = new OnnxGraph("autoencoder");
        String windows = g.input("windows", FLOAT, "W", "B", n);
        RecurrentConfig ec = RecurrentConfig.of(c.cell(), n, c.hiddenSize()).withLayers(c.numLayers());
        RecurrentExport.Outputs encoded = RecurrentExport.emit(g, stack(ec, w, "autoencoder.encoder."), windows, "", "", "",
                List.of("encoder_output", "encoder_h_n", "encoder_c_n"));
        // The code, the encoder's last output [1, B, H], as the decoder's input at every one of the W steps.
        String code = g.node("Slice", List.of(encoded.output(), g.initializer("starts", -1), g.initializer("ends", Long.MAX_VALUE),
                g.initializer("axes", 0)), "code");
        String repeated = g.node("Expand", List.of(code, g.node("Shape", List.of(encoded.output()), "encoder_output_shape")), "code_repeated");
        RecurrentConfig dc = RecurrentConfig.of(c.cell(), c.hiddenSize(), c.hiddenSize()).withLayers(c.numLayers());
        RecurrentExport.Outputs decoded = RecurrentExport.emit(g, stack(dc, w, "autoencoder.decoder."), repeated, "", "", "",
                List.of("decoder_output", "decoder_h_n", "decoder_c_n"));
        g.output(linear(g, decoded.output(), w, "autoencoder.output", "reconstruction"), FLOAT, "W", "B", n);
        return g.model(opset, Map.of(ModelFile.CONFIG_KEY, configJson));
    }
}
