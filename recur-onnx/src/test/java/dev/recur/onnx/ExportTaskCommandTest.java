package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.recur.cli.ExitCodes;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Pooling;
import dev.recur.cli.CliRun.Result;
import dev.recur.onnx.Ort.Longs;
import dev.recur.task.classify.Classifier;
import dev.recur.task.classify.ClassifierConfig;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.task.score.TagScheme;
import dev.recur.task.tag.Tagger;
import dev.recur.task.tag.TaggerConfig;
import dev.recur.task.text.EncoderConfig;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recur export onnx} on each kind of task model file it exports: exit 0, recur.config in the metadata, and
 * a file ONNX Runtime loads and runs with the inputs the command reports.
 */
class ExportTaskCommandTest {
    private static final Vocabulary WORDS = Vocabulary.of(List.of(Vocabulary.UNKNOWN, "a", "b", "c"));
    private static final Vocabulary CHARS = Vocabulary.of(List.of(Vocabulary.UNKNOWN, "a", "b", "c"));

    @TempDir
    Path dir;

    @Test
    void aLanguageModelFileExports() throws Exception {
        Path model = dir.resolve("lm.safetensors");
        new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 4, 6, 2, 0f), WORDS, new Rng(1)).save(model);

        Map<String, Object> feeds = Map.of("tokens", new Longs(new long[] {1, 2, 3, 0}, 2, 2), "lengths", Longs.vector(2, 1),
                "h0", Tensor.zeros(2, 2, 6), "c0", Tensor.zeros(2, 2, 6));
        var outputs = exportAndRun(model, "inputs tokens, lengths, h0, c0", "outputs logits, h_n, c_n", feeds);
        assertThat(outputs.get("logits").shape()).containsExactly(2, 2, WORDS.size());
    }

    @Test
    void aClassifierFileWithACharacterEncoderExports() throws Exception {
        Path model = dir.resolve("classifier.safetensors");
        var rng = new Rng(2);
        var encoder = new TextEncoder(new EncoderConfig(Tokenizer.WORD, 4, 3, 2, CellType.GRU, 5, 1, 2, 0f, true), WORDS, CHARS, rng);
        var classifier = new Classifier(new ClassifierConfig(encoder.config(), Pooling.ATTENTION, 3, 50), encoder, List.of("no", "yes"), rng);
        ModelFile.write(model, classifier.configJson(), classifier.stateDict());

        Map<String, Object> feeds = Map.of("tokens", new Longs(new long[] {1, 2, 3, 0}, 2, 2), "lengths", Longs.vector(2, 1),
                "chars", new Longs(new long[] {1, 2, 3, 0}, 1, 4), "char_lengths", Longs.vector(1, 1, 1, 1));
        var outputs = exportAndRun(model, "inputs tokens, lengths, chars, char_lengths", "outputs logits, probabilities, attention", feeds);
        assertThat(outputs.get("probabilities").shape()).containsExactly(2, 2);
    }

    @Test
    void aCrfTaggerFileExports() throws Exception {
        Path model = dir.resolve("tagger.safetensors");
        var rng = new Rng(3);
        var encoder = new TextEncoder(new EncoderConfig(Tokenizer.WORD, 4, 0, 0, CellType.LSTM, 5, 1, 2, 0f, false), WORDS, null, rng);
        var tagger = new Tagger(new TaggerConfig(encoder.config(), TaggerConfig.Head.CRF), encoder, List.of("O", "B-X", "I-X"), TagScheme.BIO, rng);
        ModelFile.write(model, tagger.configJson(), tagger.stateDict());

        Map<String, Object> feeds = Map.of("tokens", new Longs(new long[] {1, 2, 3, 0}, 2, 2), "lengths", Longs.vector(2, 1));
        var outputs = exportAndRun(model, "inputs tokens, lengths", "outputs emissions, transitions, start_transitions, end_transitions", feeds);
        assertThat(outputs.get("emissions").shape()).containsExactly(2, 2, 3);
    }

    private Map<String, Tensor> exportAndRun(Path model, String inputs, String outputs, Map<String, Object> feeds) throws Exception {
        Path onnx = dir.resolve(model.getFileName().toString().replace(".safetensors", ".onnx"));

        Result r = ExportOnnxCommandTest.run("export", "onnx", "--model", model.toString(), "--out", onnx.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.err()).contains("wrote " + onnx, inputs, outputs);
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(proto.getMetadataProps(0).getValue()).isEqualTo(ModelFile.read(model).config().toString());
        try (var session = OrtEnvironment.getEnvironment().createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            assertThat(String.join(", ", session.getInputNames())).isNotEmpty();
        }
        return Ort.run(proto, feeds);
    }
}
