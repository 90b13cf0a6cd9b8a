package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.recur.cli.ExitCodes;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.onnx.ExportOnnxCommandTest.Result;
import dev.recur.onnx.TaskOrt.Longs;
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
 * {@code recur export onnx} on a sequence-to-sequence model file: exit 0, two files beside {@code --out}, each with
 * recur.config in the metadata, which ONNX Runtime runs with the inputs the command reports.
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

        var encoded = TaskOrt.run(encoder, Map.of("source", new Longs(new long[] {1, 2, 2, 0}, 2, 2), "lengths", Longs.vector(2, 1)));
        var step = TaskOrt.run(decoder, Map.of("previous", Longs.vector(Seq2Seq.START_ID, Seq2Seq.START_ID), "h", encoded.get("h0"),
                "c", encoded.get("c0"), "feed", Tensor.zeros(2, 5), "memory", encoded.get("memory"), "keys", encoded.get("keys"),
                "lengths", Longs.vector(2, 1)));
        assertThat(step.get("logits").shape()).containsExactly(2, 4);
        assertThat(step.get("attention").shape()).containsExactly(2, 2);
    }

    private static ModelProto read(Path model, Path onnx) throws Exception {
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(proto.getMetadataProps(0).getValue()).isEqualTo(ModelFile.read(model).config().toString());
        return proto;
    }
}
