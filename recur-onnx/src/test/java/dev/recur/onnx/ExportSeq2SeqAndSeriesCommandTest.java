package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.cli.ExitCodes;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.cli.CliRun.Result;
import dev.recur.onnx.Ort.Longs;
import dev.recur.task.anomaly.AnomalyConfig;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.anomaly.ThresholdRule;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqConfig;
import dev.recur.task.seq2seq.Unit;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recur export onnx} on a sequence-to-sequence model file (exit 0, two files beside {@code --out}), on
 * forecasters with either decoder and on anomaly detectors with either method (exit 0, one file): each file has
 * recur.config in the metadata, and ONNX Runtime runs it with the inputs the command reports.
 */
class ExportSeq2SeqAndSeriesCommandTest {
    @TempDir
    Path dir;

    @Test
    void aSeq2SeqFileExportsAnEncoderAndADecoder() throws Exception {
        Path model = dir.resolve("g2p.safetensors"), out = dir.resolve("g2p.onnx");
        var config = new Seq2SeqConfig(4, CellType.LSTM, 3, 1, 5, 1, Attention.Form.ADDITIVE, 3, 0f, 0f);
        new Seq2Seq(config, new Unit.Side(Unit.CHAR, null), new Unit.Side(Unit.WORD, null), Vocabulary.of(List.of(Vocabulary.UNKNOWN, "x", "y")),
                Vocabulary.of(List.of(Vocabulary.UNKNOWN, Seq2Seq.START, Seq2Seq.END, "a")), new Rng(1)).save(model);

        Result r = ExportOnnxCommandTest.run("export", "onnx", "--model", model.toString(), "--out", out.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        Path encoderFile = dir.resolve("g2p.encoder.onnx"), decoderFile = dir.resolve("g2p.decoder.onnx");
        assertThat(r.err()).contains("wrote " + encoderFile, "inputs source, lengths", "outputs memory, keys, h0, c0",
                "wrote " + decoderFile, "inputs previous, h, c, feed, memory, keys, lengths", "outputs logits, h_n, c_n, attentional, attention");
        assertThat(out).doesNotExist();
        var encoder = read(model, encoderFile);
        var decoder = read(model, decoderFile);

        var encoded = Ort.run(encoder, Map.of("source", new Longs(new long[] {1, 2, 2, 0}, 2, 2), "lengths", Longs.vector(2, 1)));
        var step = Ort.run(decoder, Map.of("previous", Longs.vector(Seq2Seq.START_ID, Seq2Seq.START_ID), "h", encoded.get("h0"),
                "c", encoded.get("c0"), "feed", Tensor.zeros(2, 5), "memory", encoded.get("memory"), "keys", encoded.get("keys"),
                "lengths", Longs.vector(2, 1)));
        assertThat(step.get("logits").shape()).containsExactly(2, 4);
        assertThat(step.get("attention").shape()).containsExactly(2, 2);
    }

    @Test
    void aDirectForecasterFileExports() throws Exception {
        Path model = forecaster(ForecasterConfig.Decoder.DIRECT, ForecasterConfig.Head.GAUSSIAN);
        Path out = dir.resolve("forecaster.onnx");

        Result r = ExportOnnxCommandTest.run("export", "onnx", "--model", model.toString(), "--out", out.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("wrote " + out, "inputs steps, known", "outputs params");
        // known: 1 level and min(L, 12) = 4 last values per target, then nothing per step (no season, covariates or calendar).
        var params = Ort.run(read(model, out), Map.of("steps", Tensor.zeros(4, 2, 1), "known", Tensor.zeros(2, 5)));
        assertThat(params.get("params").shape()).containsExactly(2, 3, 1, 2);
    }

    @Test
    void anAutoregressiveForecasterFileExports() throws Exception {
        Path model = forecaster(ForecasterConfig.Decoder.AUTOREGRESSIVE, ForecasterConfig.Head.QUANTILE);
        Path out = dir.resolve("forecaster.onnx");

        Result r = ExportOnnxCommandTest.run("export", "onnx", "--model", model.toString(), "--out", out.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("wrote " + out, "inputs input, h0, c0", "outputs params, h_n, c_n");
        var params = Ort.run(read(model, out), Map.of("input", Tensor.zeros(1, 2, 2), "h0", Tensor.zeros(1, 2, 3), "c0", Tensor.zeros(1, 2, 3)));
        assertThat(params.get("params").shape()).containsExactly(1, 2, 1, 2);
    }

    @Test
    void anAnomalyDetectorFileExportsForEitherMethod() throws Exception {
        var series = new Series("", new float[][] {new float[20]}, new float[0][], null, new long[20]);
        for (AnomalyConfig.Method method : AnomalyConfig.Method.values()) {
            Path model = dir.resolve(method.option() + ".safetensors"), out = dir.resolve(method.option() + ".onnx");
            var spec = new SeriesSpec(List.of("y"), null, List.of(), false, null, SeriesSpec.Fill.NONE);
            var config = new AnomalyConfig(spec, method, 4, CellType.GRU, 3, 1, 0f, new int[] {0, 10}, new int[] {10, 20}, 1, ThresholdRule.parse("max:1.1"));
            var detector = AnomalyDetector.create(config, List.of(series), new Rng(1));
            ModelFile.write(model, detector.configJson(), detector.stateDict());

            Result r = ExportOnnxCommandTest.run("export", "onnx", "--model", model.toString(), "--out", out.toString());

            assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
            if (method == AnomalyConfig.Method.FORECAST) {
                assertThat(r.err()).contains("wrote " + out, "inputs steps, known", "outputs params");
                var params = Ort.run(read(model, out), Map.of("steps", Tensor.zeros(4, 2, 1), "known", Tensor.zeros(2, 5)));
                assertThat(params.get("params").shape()).containsExactly(2, 1, 1, 1);
            } else {
                assertThat(r.err()).contains("wrote " + out, "inputs windows", "outputs reconstruction");
                var outputs = Ort.run(read(model, out), Map.of("windows", Tensor.zeros(4, 2, 1)));
                assertThat(outputs.get("reconstruction").shape()).containsExactly(4, 2, 1);
            }
        }
    }

    /** A forecaster of one target: context 4, horizon 3, an LSTM of 3; quantiles at 0.1 and 0.9. */
    private Path forecaster(ForecasterConfig.Decoder decoder, ForecasterConfig.Head head) throws Exception {
        Path model = dir.resolve(decoder.option() + ".safetensors");
        var spec = new SeriesSpec(List.of("y"), null, List.of(), false, null, SeriesSpec.Fill.NONE);
        var config = new ForecasterConfig(spec, 4, 3, 0, ForecasterConfig.Scaling.MEAN_ABS, head, new float[] {0.1f, 0.9f}, decoder,
                CellType.LSTM, 3, 1, 0f, 1, 1, 1);
        var f = new Forecaster(config, new Forecaster.Normalisation(new float[0], new float[0], new float[] {1f}, 0), new Rng(3));
        ModelFile.write(model, f.configJson(), f.stateDict());
        return model;
    }

    private static ModelProto read(Path model, Path onnx) throws Exception {
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(proto.getMetadataProps(0).getValue()).isEqualTo(ModelFile.read(model).config().toString());
        return proto;
    }
}
