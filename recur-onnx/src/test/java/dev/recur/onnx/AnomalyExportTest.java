package dev.recur.onnx;

import static dev.recur.onnx.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.nn.CellType;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.task.anomaly.AnomalyConfig;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.anomaly.AnomalySteps;
import dev.recur.task.anomaly.ThresholdRule;
import dev.recur.task.forecast.ForecastSteps;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An exported anomaly detector's network runs in ONNX Runtime and gives Recur's to 1e-5 relative ({@link Close}),
 * for both methods, LSTM (2 layers) and GRU, two columns: the forecast method's one-step forecaster on the inputs
 * Recur builds for three rows of a standardised series, the autoencoder's reconstruction of random windows.
 */
class AnomalyExportTest {
    private static final SeriesSpec SPEC = new SeriesSpec(List.of("a", "b"), null, List.of(), false, null, SeriesSpec.Fill.NONE);

    record Case(AnomalyConfig.Method method, CellType cell) {
        AnomalyDetector build(int seed) {
            int layers = cell == CellType.LSTM ? 2 : 1;
            var config = new AnomalyConfig(SPEC, method, 5, cell, 4, layers, 0f, new int[] {0, 12}, new int[] {12, 20}, 1, ThresholdRule.parse("max:1.1"));
            return AnomalyDetector.create(config, List.of(series()), new Rng(seed));
        }

        @Override
        public String toString() {
            return method.option() + ", " + cell.name().toLowerCase();
        }
    }

    static Stream<Case> cases() {
        return Stream.of(AnomalyConfig.Method.values()).flatMap(m -> Stream.of(CellType.LSTM, CellType.GRU).map(cell -> new Case(m, cell)));
    }

    private static Series series() {
        var rng = new Rng(9);
        float[][] values = new float[2][20];
        for (int t = 0; t < 20; t++) {
            values[0][t] = (float) (3 + Math.sin(t) + 0.2 * rng.nextGaussian());
            values[1][t] = (float) (Math.cos(0.5 * t) + 0.2 * rng.nextGaussian());
        }
        return new Series("", values, new float[0][], null, new long[20]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void networkGivesRecursOutputs(Case c) throws Exception {
        AnomalyDetector d = c.build(c.hashCode());
        var onnx = AnomalyExport.detector(d, d.configJson().toString(), Inputs.ALL, 17);
        if (c.method() == AnomalyConfig.Method.FORECAST) {
            Series normalised = d.normalise(series());
            var windows = List.of(new Forecaster.Window(normalised, 5), new Forecaster.Window(normalised, 11), new Forecaster.Window(normalised, 18));
            var expected = ForecastSteps.direct(AnomalySteps.forecaster(d), windows);
            var out = Ort.run(onnx, Map.of("steps", expected.steps(), "known", expected.known()));
            assertClose("params", out.get("params"), expected.params());
        } else {
            Tensor windows = Tensor.randn(new Rng(c.hashCode() + 1), 5, 3, 2);
            var out = Ort.run(onnx, Map.of("windows", windows));
            assertClose("reconstruction", out.get("reconstruction"), AnomalySteps.reconstruction(d, windows));
        }
    }

    @Test
    void graphsDeclareTheDocumentedInputsAndOutputs() {
        var forecast = AnomalyExport.detector(new Case(AnomalyConfig.Method.FORECAST, CellType.GRU).build(1), "{}", Inputs.ALL, 14).getGraph();
        assertThat(names(forecast.getInputList())).containsExactly("steps", "known");
        assertThat(names(forecast.getOutputList())).containsExactly("params");
        var autoencoder = AnomalyExport.detector(new Case(AnomalyConfig.Method.RECONSTRUCTION, CellType.LSTM).build(1), "{}", Inputs.ALL, 17).getGraph();
        assertThat(names(autoencoder.getInputList())).containsExactly("windows");
        assertThat(names(autoencoder.getOutputList())).containsExactly("reconstruction");
    }

    @Test
    void inputsInputIsRefused() {
        AnomalyDetector d = new Case(AnomalyConfig.Method.RECONSTRUCTION, CellType.GRU).build(2);
        assertThatThrownBy(() -> AnomalyExport.detector(d, "{}", Inputs.INPUT, 17)).isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("an anomaly detector's graph takes all its inputs");
    }

    private static List<String> names(List<ValueInfoProto> values) {
        return values.stream().map(ValueInfoProto::getName).toList();
    }
}
