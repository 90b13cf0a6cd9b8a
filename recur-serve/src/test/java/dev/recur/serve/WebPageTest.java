package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.data.Vocabulary;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.task.Models;
import dev.recur.task.seq2seq.Search;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqConfig;
import dev.recur.task.seq2seq.Seq2SeqTraining;
import dev.recur.task.seq2seq.Unit;
import dev.recur.tensor.Rng;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The web page at / is served without the API key, and a sequence-to-sequence predict gives the attention it draws. */
@Timeout(60)
class WebPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] KEY = {"Authorization", "Bearer s3cret"};

    @TempDir
    static Path dir;

    static Path s2sFile;
    static Server server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        var s2s = new Seq2Seq(new Seq2SeqConfig(6, CellType.GRU, 4, 1, 8, 1, Attention.Form.ADDITIVE, 8, 0f, 0f), new Unit.Side(Unit.CHAR, null),
                new Unit.Side(Unit.WORD, null), Vocabulary.of(List.of("<unk>", "x", "y", "z")),
                Vocabulary.of(List.of("<unk>", Seq2Seq.START, Seq2Seq.END, "a", "b")), new Rng(5));
        for (var p : s2s.parameters()) for (int i = 0; i < p.value().size(); i++) p.value().data()[p.value().offset() + i] *= 2.5f;
        s2sFile = dir.resolve("s2s.safetensors");
        s2s.save(s2sFile);
        server = Server.start(Map.of("s2s", new ServedModel("s2s", Models.open(s2sFile))),
                new Server.Options("127.0.0.1", 0, 1 << 20, "s3cret", 10, Duration.ofMinutes(1)));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    @Test
    void thePageIsServedWithoutTheKeyAndCallsThePublicRoutes() throws Exception {
        ServerTest.Reply page = ServerTest.send(base, "GET", "/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html").contains("utf-8");
        assertThat(page.body()).startsWith("<!DOCTYPE html>").contains("<script>", "</html>")
                .contains("/v1/models", "/predict", "/generate", "Authorization", "Bearer", "getReader()", "text/event-stream", "canvas")
                .doesNotContain("http://", "https://", "src=\"", "<link");   // self-contained: nothing fetched from elsewhere
        assertThat(ServerTest.send(base, "GET", "/v1/models", null).status()).as("the data still wants the key").isEqualTo(401);
        assertThat(ServerTest.send(base, "GET", "/v1/models", null, KEY).status()).isEqualTo(200);
        assertThat(ServerTest.send(base, "GET", "/metrics", null, KEY).body()).contains("route=\"GET /\"");
    }

    @Test
    void seq2seqAnswersTheBestOutputsAttentionWhenAsked() throws Exception {
        Seq2Seq s2s = Models.open(s2sFile, Seq2Seq.class);
        List<Search.Result> expected = Seq2SeqTraining.translate(s2s, List.of("xyz", "zqx"), new Search.Options(3, 2, 0.6f, 2f, 10));
        ServerTest.Reply r = ServerTest.send(base, "POST", "/v1/models/s2s/predict",
                "{\"sources\": [\"xyz\", \" zqx\"], \"beam\": 3, \"n_best\": 2, \"attention\": true}", KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            Search.Hypothesis best = expected.get(i).best();
            JsonNode a = r.json().get("outputs").get(i).get("attention");
            assertThat(JSON.convertValue(a.get("source"), List.class)).isEqualTo(i == 0 ? List.of("x", "y", "z") : List.of("z", "<unk>", "x"));
            var symbols = new ArrayList<String>();
            for (int id : best.tokens()) symbols.add(s2s.targetSymbol(id));
            if (best.finished()) symbols.add(Seq2Seq.END);
            assertThat(JSON.convertValue(a.get("output"), List.class)).isEqualTo(symbols);
            JsonNode weights = a.get("weights");
            assertThat(weights).hasSize(best.attention().length);
            for (int t = 0; t < weights.size(); t++) {
                assertThat(weights.get(t)).hasSize(3);
                double sum = 0;
                for (int s = 0; s < 3; s++) {
                    assertThat(weights.get(t).get(s).asDouble()).isCloseTo(best.attention()[t][s], within(1e-4));
                    sum += weights.get(t).get(s).asDouble();
                }
                assertThat(sum).isCloseTo(1, within(1e-3));
            }
        }
        ServerTest.Reply plain = ServerTest.send(base, "POST", "/v1/models/s2s/predict", "{\"sources\": [\"xyz\"], \"attention\": false}", KEY);
        assertThat(plain.json().get("outputs").get(0).has("attention")).isFalse();
        ServerTest.Reply wrong = ServerTest.send(base, "POST", "/v1/models/s2s/predict", "{\"sources\": [\"xyz\"], \"attention\": \"yes\"}", KEY);
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.json().get("error").asText()).contains("\"attention\"");
    }
}
