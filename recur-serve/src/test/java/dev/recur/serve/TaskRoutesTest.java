package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Pooling;
import dev.recur.task.Models;
import dev.recur.task.classify.Classifier;
import dev.recur.task.classify.ClassifierConfig;
import dev.recur.task.score.TagScheme;
import dev.recur.task.seq2seq.Search;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqConfig;
import dev.recur.task.seq2seq.Seq2SeqTraining;
import dev.recur.task.seq2seq.Unit;
import dev.recur.task.tag.TagTraining;
import dev.recur.task.tag.Tagger;
import dev.recur.task.tag.TaggerConfig;
import dev.recur.task.text.EncoderConfig;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** predict for the text tasks answers as their commands do; a task the server cannot run yet answers 501. */
@Timeout(60)
class TaskRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TEXTS = List.of("what a fine day", "the day is not fine", "fine");

    @TempDir
    static Path dir;

    static Path classifierFile, taggerFile, s2sFile;
    static Server server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        var encoder = new EncoderConfig(Tokenizer.WORD, 8, 0, 0, CellType.LSTM, 6, 1, 2, 0f, true);
        var tokens = TEXTS.stream().map(t -> List.of(t.split(" "))).toList();
        var v = TextEncoder.vocabularies(encoder, tokens, 0, 1);
        var rng = new Rng(4);
        var classifier = new Classifier(new ClassifierConfig(encoder, Pooling.MAX, 5, 50), new TextEncoder(encoder, v.get("words"), null, rng),
                List.of("gloomy", "sunny"), rng);
        classifierFile = dir.resolve("classifier.safetensors");
        ModelFile.write(classifierFile, classifier.configJson(), classifier.stateDict());

        var tags = List.of("NOUN", "VERB", "ADJ");
        var tagger = new Tagger(new TaggerConfig(encoder, TaggerConfig.Head.CRF), new TextEncoder(encoder, v.get("words"), null, rng), tags,
                TagScheme.detect(List.of(tags)), rng);
        taggerFile = dir.resolve("tagger.safetensors");
        ModelFile.write(taggerFile, tagger.configJson(), tagger.stateDict());

        var s2s = new Seq2Seq(new Seq2SeqConfig(6, CellType.GRU, 4, 1, 8, 1, Attention.Form.ADDITIVE, 8, 0f, 0f), new Unit.Side(Unit.CHAR, null),
                new Unit.Side(Unit.WORD, null), Vocabulary.of(List.of("<unk>", "x", "y", "z")),
                Vocabulary.of(List.of("<unk>", Seq2Seq.START, Seq2Seq.END, "a", "b")), new Rng(5));
        for (var p : s2s.parameters()) for (int i = 0; i < p.value().size(); i++) p.value().data()[p.value().offset() + i] *= 2.5f;
        s2sFile = dir.resolve("s2s.safetensors");
        s2s.save(s2sFile);

        var models = new LinkedHashMap<String, ServedModel>();
        models.put("classifier", new ServedModel("classifier", Models.open(classifierFile)));
        models.put("tagger", new ServedModel("tagger", Models.open(taggerFile)));
        models.put("s2s", new ServedModel("s2s", Models.open(s2sFile)));
        Module linear = new Linear(2, 2, new Rng(1));
        var widget = new Models.Kind("widget", "a widget", "recur widget", Module.class, file -> linear);
        models.put("widget", new ServedModel("widget", new Models.Opened(dir.resolve("w.safetensors"), widget, JSON.createObjectNode(), linear, false)));
        server = Server.start(models, new Server.Options("127.0.0.1", 0, 1 << 20, null, 10, Duration.ofMinutes(1)));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    static ServerTest.Reply post(String path, String body) throws Exception {
        return ServerTest.send(base, "POST", path, body);
    }

    @Test
    void classifierAnswersLabelsAndProbabilities() throws Exception {
        Classifier classifier = Models.open(classifierFile, Classifier.class);
        var expected = TextEncoder.byLength(TEXTS.stream().map(classifier::tokens).toList(), 64, classifier::predictTokens);
        ServerTest.Reply r = post("/v1/models/classifier/predict", JSON.writeValueAsString(JSON.createObjectNode().set("texts", JSON.valueToTree(TEXTS))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode predictions = r.json().get("predictions");
        assertThat(predictions).hasSize(TEXTS.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(predictions.get(i).get("label").asText()).isEqualTo(expected.get(i).label());
            assertThat(predictions.get(i).get("probabilities").get("sunny").asDouble())
                    .isEqualTo(Math.round(expected.get(i).probabilities()[1] * 1e4) / 1e4);
        }
        assertThat(post("/v1/models/classifier/predict", "{\"texts\": [1]}").status()).isEqualTo(400);
        assertThat(post("/v1/models/classifier/predict", "{\"texts\": []}").status()).isEqualTo(400);
        assertThat(post("/v1/models/classifier/sessions", "").status()).isEqualTo(400);
    }

    @Test
    void taggerTagsStringsAndTokenLists() throws Exception {
        Tagger tagger = Models.open(taggerFile, Tagger.class);
        var expected = TagTraining.predict(tagger, List.of(List.of("what", "a", "fine", "day"), List.of("fine", "day")));
        ServerTest.Reply r = post("/v1/models/tagger/predict", "{\"sentences\": [\"what a  fine day\", [\"fine\", \"day\"]]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.get(0).get("tokens")).isEqualTo(JSON.valueToTree(List.of("what", "a", "fine", "day")));
        assertThat(results.get(0).get("tags")).isEqualTo(JSON.valueToTree(expected.get(0)));
        assertThat(results.get(1).get("tags")).isEqualTo(JSON.valueToTree(expected.get(1)));
        assertThat(post("/v1/models/tagger/predict", "{\"sentences\": [\" \"]}").status()).isEqualTo(400);
    }

    @Test
    void seq2seqTranslatesWithBeamAndNBest() throws Exception {
        Seq2Seq s2s = Models.open(s2sFile, Seq2Seq.class);
        var expected = Seq2SeqTraining.translate(s2s, List.of("xyz", "zz"), new Search.Options(3, 2, 0.6f, 2f, 10));
        ServerTest.Reply r = post("/v1/models/s2s/predict", "{\"sources\": [\"xyz\", \"zz\"], \"beam\": 3, \"n_best\": 2}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode outputs = r.json().get("outputs");
        for (int i = 0; i < 2; i++) {
            assertThat(outputs.get(i).get("output").asText()).isEqualTo(s2s.targetText(expected.get(i).best().tokens()));
            assertThat(outputs.get(i).get("n_best")).hasSize(expected.get(i).hypotheses().size());
            assertThat(outputs.get(i).get("n_best").get(1).get("score").asDouble()).isEqualTo(expected.get(i).hypotheses().get(1).score());
        }
        assertThat(post("/v1/models/s2s/predict", "{\"sources\": [\"x\"], \"beam\": 2, \"n_best\": 3}").status()).isEqualTo(400);
    }

    @Test
    void aTaskWithoutPredictAnswers501() throws Exception {
        ServerTest.Reply r = post("/v1/models/widget/predict", "{}");
        assertThat(r.status()).isEqualTo(501);
        assertThat(r.json().get("error").asText()).contains("recur widget");
    }
}
