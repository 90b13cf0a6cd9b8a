package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.nn.CellType;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.task.forecast.ForecastSteps;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An exported forecaster's network runs in ONNX Runtime and gives Recur's to 1e-5 relative ({@link Close}), for
 * every head, LSTM (2 layers) and GRU, two targets, a covariate and a season: the direct network on the inputs the
 * forecaster builds for two windows, and the autoregressive step graph on random inputs from a given state.
 */
class ForecastExportTest {
    private static final SeriesSpec SPEC = new SeriesSpec(List.of("a", "b"), null, List.of("x"), false, null, SeriesSpec.Fill.NONE);
    private static final float[] LEVELS = {0.1f, 0.5f, 0.9f};

    record Case(CellType cell, ForecasterConfig.Head head, ForecasterConfig.Decoder decoder) {
        Forecaster build(int seed) {
            int layers = cell == CellType.LSTM ? 2 : 1;
            var c = new ForecasterConfig(SPEC, 4, 3, 2, ForecasterConfig.Scaling.STANDARD, head, LEVELS, decoder, cell, 5, layers, 0f, 2, 2, 1);
            var norm = new Forecaster.Normalisation(new float[] {1f}, new float[] {2f}, new float[] {5f, 2f}, 0);
            return new Forecaster(c, norm, new Rng(seed));
        }

        @Override
        public String toString() {
            return cell.name().toLowerCase() + ", " + head.option() + ", " + decoder.option();
        }
    }

    static Stream<Case> cases(ForecasterConfig.Decoder decoder) {
        return Stream.of(CellType.LSTM, CellType.GRU).flatMap(cell -> Stream.of(ForecasterConfig.Head.values()).map(h -> new Case(cell, h, decoder)));
    }

    static Stream<Case> direct() {
        return cases(ForecasterConfig.Decoder.DIRECT);
    }

    static Stream<Case> autoregressive() {
        return cases(ForecasterConfig.Decoder.AUTOREGRESSIVE);
    }

    private static Series series() {
        var rng = new Rng(5);
        float[][] values = new float[2][20], covariates = new float[1][20];
        for (int t = 0; t < 20; t++) {
            values[0][t] = (float) (5 + Math.sin(t) + 0.3 * rng.nextGaussian());
            values[1][t] = (float) (-2 + Math.cos(0.7 * t) + 0.3 * rng.nextGaussian());
            covariates[0][t] = t % 3;
        }
        return new Series("", values, covariates, null, new long[20]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("direct")
    void directNetworkGivesRecursHeadOutputs(Case c) throws Exception {
        Forecaster f = c.build(c.hashCode());
        Series s = series();
        var expected = ForecastSteps.direct(f, List.of(new Forecaster.Window(s, 6), new Forecaster.Window(s, 11)));

        var onnx = ForecastExport.forecaster(f, f.configJson().toString(), Inputs.ALL, 17);
        var out = Ort.run(onnx, Map.of("steps", expected.steps(), "known", expected.known()));

        assertClose("params", out.get("params"), expected.params());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("autoregressive")
    void autoregressiveStepGraphGivesRecursHeadOutputsAndStates(Case c) throws Exception {
        Forecaster f = c.build(c.hashCode());
        var rng = new Rng(c.hashCode() + 1);
        int layers = f.config().numLayers(), features = f.stateDict().get("rnn.weight_ih_l0").dim(1);
        Tensor input = Tensor.randn(rng, 3, 2, features), h0 = Tensor.randn(rng, layers, 2, 5), c0 = Tensor.randn(rng, layers, 2, 5);
        boolean lstm = c.cell() == CellType.LSTM;
        var expected = ForecastSteps.step(f, input, h0, lstm ? c0 : null);

        var onnx = ForecastExport.forecaster(f, f.configJson().toString(), Inputs.ALL, 17);
        var feeds = new HashMap<String, Object>(Map.of("input", input, "h0", h0));
        if (lstm) feeds.put("c0", c0);
        var out = Ort.run(onnx, feeds);

        assertClose("params", out.get("params"), expected.params());
        assertClose("h_n", out.get("h_n"), expected.hN());
        if (lstm) assertClose("c_n", out.get("c_n"), expected.cN());
    }

    @Test
    void graphsDeclareTheDocumentedInputsAndOutputs() {
        var direct = ForecastExport.forecaster(new Case(CellType.GRU, ForecasterConfig.Head.QUANTILE, ForecasterConfig.Decoder.DIRECT).build(1), "{}", Inputs.ALL, 14);
        assertThat(names(direct.getGraph().getInputList())).containsExactly("steps", "known");
        assertThat(names(direct.getGraph().getOutputList())).containsExactly("params");
        var ar = new Case(CellType.LSTM, ForecasterConfig.Head.GAUSSIAN, ForecasterConfig.Decoder.AUTOREGRESSIVE).build(1);
        assertThat(names(ForecastExport.forecaster(ar, "{}", Inputs.ALL, 17).getGraph().getInputList())).containsExactly("input", "h0", "c0");
        assertThat(names(ForecastExport.forecaster(ar, "{}", Inputs.INPUT, 17).getGraph().getInputList())).containsExactly("input");
        assertThat(names(ForecastExport.forecaster(ar, "{}", Inputs.ALL, 17).getGraph().getOutputList())).containsExactly("params", "h_n", "c_n");
    }

    @Test
    void aDirectForecasterRefusesInputsInput() {
        Forecaster f = new Case(CellType.GRU, ForecasterConfig.Head.MSE, ForecasterConfig.Decoder.DIRECT).build(2);
        assertThatThrownBy(() -> ForecastExport.forecaster(f, "{}", Inputs.INPUT, 17)).isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("a direct forecaster's graph takes steps and known");
    }

    private static List<String> names(List<ValueInfoProto> values) {
        return values.stream().map(ValueInfoProto::getName).toList();
    }
}
