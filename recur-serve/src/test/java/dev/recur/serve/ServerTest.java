package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.Recur;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.task.Models;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.task.lm.Sampler;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    static Path lstmFile, lmFile, biFile;
    static Server server;
    static String base;

    record Reply(int status, String contentType, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        lstmFile = dir.resolve("lstm.safetensors");
        RecurrentModelFile.write(lstmFile, Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2), new Rng(7)));
        biFile = dir.resolve("bigru.safetensors");
        RecurrentModelFile.write(biFile, Recurrent.of(RecurrentConfig.gru(2, 3).withDirections(2), new Rng(3)));
        var symbols = new ArrayList<>(List.of(Vocabulary.UNKNOWN, " ", "\n"));
        for (char ch = 'a'; ch <= 'z'; ch++) symbols.add(String.valueOf(ch));
        lmFile = dir.resolve("lm.safetensors");
        new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 4, 6, 2, 0f), Vocabulary.of(symbols), new Rng(1)).save(lmFile);
        server = Server.start(models(), new Server.Options("127.0.0.1", 0, 1 << 20, null, 100, Duration.ofMinutes(5)));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    static Map<String, ServedModel> models() throws Exception {
        var m = new LinkedHashMap<String, ServedModel>();
        m.put("lstm", new ServedModel("lstm", Models.open(lstmFile)));
        m.put("bigru", new ServedModel("bigru", Models.open(biFile)));
        m.put("lm", new ServedModel("lm", Models.open(lmFile)));
        return m;
    }

    static Reply send(String base, String method, String path, String body, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) request.headers(headers);
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    static Reply get(String path) throws Exception {
        return send(base, "GET", path, null);
    }

    static Reply post(String path, String body) throws Exception {
        return send(base, "POST", path, body);
    }

    static String sequence(int steps, int features, long seed) throws Exception {
        var random = new SplittableRandom(seed);
        double[][] x = new double[steps][features];
        for (double[] row : x) for (int f = 0; f < features; f++) row[f] = random.nextDouble(-1, 1);
        return JSON.writeValueAsString(x);
    }

    /** {@code x} [T][F] run alone through a fresh copy of the stack: the output [T][H]. */
    static float[][] alone(JsonNode x) throws Exception {
        Recurrent rnn = RecurrentModelFile.read(lstmFile);
        int steps = x.size(), features = x.get(0).size();
        float[] data = new float[steps * features];
        for (int t = 0; t < steps; t++) for (int f = 0; f < features; f++) data[t * features + f] = (float) x.get(t).get(f).asDouble();
        Tensor out;
        try (var off = Tape.noGrad()) {
            out = rnn.forward(Variable.of(Tensor.of(data, steps, 1, features))).output().value().copy();
        }
        float[][] rows = new float[steps][4];
        for (int t = 0; t < steps; t++) for (int h = 0; h < 4; h++) rows[t][h] = out.at(t * 4 + h);
        return rows;
    }

    static void assertRowsEqual(List<JsonNode> rows, float[][] expected) {
        assertThat(rows).hasSize(expected.length);
        for (int t = 0; t < expected.length; t++) {
            for (int h = 0; h < expected[t].length; h++) assertThat((float) rows.get(t).get(h).asDouble()).isCloseTo(expected[t][h], within(1e-5f));
        }
    }

    @Test
    void healthAndModels() throws Exception {
        assertThat(get("/v1/health").json()).isEqualTo(JSON.readTree("{\"status\":\"ok\"}"));
        JsonNode models = get("/v1/models").json().get("models");
        assertThat(models).hasSize(3);
        assertThat(models.get(0).get("name").asText()).isEqualTo("lstm");
        assertThat(models.get(0).get("task").asText()).isEqualTo("lstm");
        assertThat(models.get(0).get("config").get("hidden_size").asInt()).isEqualTo(4);
        assertThat(models.get(2).get("task").asText()).isEqualTo("language_model");
    }

    @Test
    void predictRunsAStackAsRecurEncodeDoes() throws Exception {
        String x = sequence(5, 3, 1);
        Reply r = post("/v1/models/lstm/predict", "{\"input\": true}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asText()).contains("\"input\"");

        var batch = new StringBuilder("[");   // [T][B=1][F]
        JsonNode rows = JSON.readTree(x);
        for (int t = 0; t < rows.size(); t++) batch.append(t == 0 ? "" : ",").append("[").append(rows.get(t)).append("]");
        Reply ok = post("/v1/models/lstm/predict", "{\"input\": " + batch + "]}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.contentType()).startsWith("application/json");
        JsonNode out = ok.json();
        var outputs = new ArrayList<JsonNode>();
        out.get("output").forEach(step -> outputs.add(step.get(0)));
        assertRowsEqual(outputs, alone(rows));
        assertThat(out.get("h_n")).hasSize(2);
        assertThat(out.get("c_n")).hasSize(2);
    }

    @Test
    void badRequestsAreAnsweredAsJsonErrors() throws Exception {
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("{\"input\": [[[1, 2", 400);                                   // malformed JSON
        cases.put("{\"input\": [[[NaN, 1, 2]]]}", 400);                          // not JSON either
        cases.put("{\"input\": [[[1e999, 1, 2]]]}", 400);                        // infinite
        cases.put("{\"input\": [[[1, 2]]]}", 400);                               // two features, not three
        cases.put("{\"input\": [[[1, 2, 3]], [[1, 2]]]}", 400);                  // ragged
        cases.put("{\"input\": [[[1, 2, 3]]], \"extra\": 1}", 400);
        cases.put("[1, 2, 3]", 400);
        cases.put("", 400);
        for (var c : cases.entrySet()) {
            Reply r = post("/v1/models/lstm/predict", c.getKey());
            assertThat(r.status()).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(r.contentType()).as(c.getKey()).startsWith("application/json");
            assertThat(r.json().get("error").asText()).as(c.getKey()).isNotBlank().doesNotContain("at dev.recur");
        }
        assertThat(post("/v1/models/nope/predict", "{}").status()).isEqualTo(404);
        assertThat(post("/v1/models/nope/predict", "{}").json().get("error").asText()).contains("lstm, bigru, lm");
        assertThat(post("/v1/sessions/0123/step", "{}").status()).isEqualTo(404);
        Reply lm = post("/v1/models/lm/predict", "{}");
        assertThat(lm.status()).isEqualTo(400);
        assertThat(lm.json().get("error").asText()).contains("/generate");
        assertThat(post("/v1/models/lstm/generate", "{}").status()).isEqualTo(400);
        assertThat(post("/v1/models/bigru/sessions", "").status()).isEqualTo(400);
        Reply unknownRoute = get("/v1/nothing");
        assertThat(unknownRoute.status()).isEqualTo(404);
        assertThat(unknownRoute.json().get("error").asText()).isNotBlank();
        assertThat(get("/v1/health").status()).as("still serving").isEqualTo(200);
    }

    @Test
    void aBidirectionalStackAnswersBothDirectionsOutputs() throws Exception {
        Reply r = post("/v1/models/bigru/predict", "{\"input\": [[[1, 2]], [[3, 4]], [[5, 6]]]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Tensor expected;
        try (var off = Tape.noGrad()) {
            expected = RecurrentModelFile.read(biFile).forward(Variable.of(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 1, 2))).output().value().copy();
        }
        JsonNode output = r.json().get("output");
        assertThat(output).hasSize(3);
        for (int t = 0; t < 3; t++) {
            assertThat(output.get(t).get(0)).hasSize(6);   // both directions of 3 features
            for (int k = 0; k < 6; k++) assertThat((float) output.get(t).get(0).get(k).asDouble()).isCloseTo(expected.at(t * 6 + k), within(1e-5f));
        }
    }

    @Test
    void generateSamplesAsTheSamplerDoesAndStreamsTokens() throws Exception {
        LanguageModel lm = LanguageModel.load(lmFile);
        var expected = new StringBuilder();
        new Sampler(0.8f, 0, 0.9f).generate(lm, Tokenizer.CHAR.encode("ab", lm.vocabulary()), 20, new Rng(5), expected::append);

        Reply whole = post("/v1/models/lm/generate", "{\"prompt\": \"ab\", \"max_tokens\": 20, \"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 5}");
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.json().get("text").asText()).isEqualTo(expected.toString());

        Reply stream = post("/v1/models/lm/generate", "{\"prompt\": \"ab\", \"max_tokens\": 20, \"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 5, \"stream\": true}");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        var tokens = new StringBuilder();
        String done = null;
        for (String event : stream.body().split("\n\n")) {
            String[] lines = event.split("\n");
            JsonNode data = JSON.readTree(lines[1].substring("data: ".length()));
            if (lines[0].equals("event: token")) tokens.append(data.get("token").asText());
            else done = data.get("text").asText();
        }
        assertThat(tokens.toString()).isEqualTo(expected.toString());
        assertThat(done).isEqualTo(expected.toString());

        assertThat(post("/v1/models/lm/generate", "{\"temperature\": 0}").status()).isEqualTo(400);
        assertThat(post("/v1/models/lm/generate", "{\"max_tokens\": -1}").status()).isEqualTo(400);
        assertThat(post("/v1/models/lm/generate", "{\"stream\": \"yes\"}").status()).isEqualTo(400);
        assertThat(post("/v1/models/lm/generate", "{\"seed\": 1.5}").status()).isEqualTo(400);
    }

    @Test
    void interleavedStackSessionsEqualTheirSequencesRunAlone() throws Exception {
        JsonNode a = JSON.readTree(sequence(7, 3, 2)), b = JSON.readTree(sequence(7, 3, 3));
        Reply opened = post("/v1/models/lstm/sessions", null);
        assertThat(opened.status()).isEqualTo(201);
        String sa = opened.json().get("session").asText();
        String sb = post("/v1/models/lstm/sessions", "{}").json().get("session").asText();
        assertThat(sa).matches("[0-9a-f]{32}").isNotEqualTo(sb);
        var outA = new ArrayList<JsonNode>();
        var outB = new ArrayList<JsonNode>();
        int[][] pieces = {{0, 2}, {2, 3}, {3, 7}};
        for (int[] p : pieces) {
            for (var s : List.of(sa, sb)) {
                JsonNode x = s.equals(sa) ? a : b;
                var rows = JSON.createArrayNode();
                for (int t = p[0]; t < p[1]; t++) rows.add(x.get(t));
                Reply r = post("/v1/sessions/" + s + "/step", "{\"input\": " + rows + "}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                r.json().get("output").forEach((s.equals(sa) ? outA : outB)::add);
            }
        }
        assertRowsEqual(outA, alone(a));
        assertRowsEqual(outB, alone(b));
        assertThat(post("/v1/sessions/" + sa + "/step", "{\"input\": [[1, 2]]}").status()).isEqualTo(400);

        assertThat(send(base, "DELETE", "/v1/sessions/" + sa, null).status()).isEqualTo(204);
        assertThat(post("/v1/sessions/" + sa + "/step", "{\"input\": [[1, 2, 3]]}").status()).isEqualTo(404);
        assertThat(send(base, "DELETE", "/v1/sessions/" + sa, null).status()).isEqualTo(404);
        send(base, "DELETE", "/v1/sessions/" + sb, null);
    }

    @Test
    void aSessionStartsFromTheStateGiven() throws Exception {
        String h0 = "[[0.1, -0.2, 0.3, 0.4], [0.5, 0.0, -0.5, 0.2]]", c0 = "[[0.3, 0.1, -0.1, 0.0], [-0.4, 0.2, 0.6, 0.1]]";
        JsonNode x = JSON.readTree(sequence(4, 3, 9));
        String s = post("/v1/models/lstm/sessions", "{\"h0\": " + h0 + ", \"c0\": " + c0 + "}").json().get("session").asText();
        JsonNode stepped = post("/v1/sessions/" + s + "/step", "{\"input\": " + x + "}").json().get("output");
        var batch = JSON.createArrayNode();   // [T][1][F], the states [L][1][H]
        x.forEach(row -> batch.addArray().add(row));
        var h = JSON.createArrayNode();
        JSON.readTree(h0).forEach(row -> h.addArray().add(row));
        var c = JSON.createArrayNode();
        JSON.readTree(c0).forEach(row -> c.addArray().add(row));
        JsonNode whole = post("/v1/models/lstm/predict", "{\"input\": " + batch + ", \"h0\": " + h + ", \"c0\": " + c + "}").json().get("output");
        for (int t = 0; t < x.size(); t++) {
            for (int k = 0; k < 4; k++) assertThat(stepped.get(t).get(k).asDouble()).isCloseTo(whole.get(t).get(0).get(k).asDouble(), within(1e-6));
        }
        assertThat(post("/v1/models/lstm/sessions", "{\"h0\": " + h0 + "}").status()).as("an lstm needs c0 too").isEqualTo(400);
        assertThat(post("/v1/models/lstm/sessions", "{\"h0\": [[1, 2]], \"c0\": [[1, 2]]}").status()).isEqualTo(400);
        send(base, "DELETE", "/v1/sessions/" + s, null);
    }

    @Test
    void languageModelSessionsScoreTextAsOneSequence() throws Exception {
        String text = "hello world";
        String s1 = post("/v1/models/lm/sessions", null).json().get("session").asText();
        String s2 = post("/v1/models/lm/sessions", null).json().get("session").asText();
        var nll1 = new ArrayList<JsonNode>();
        JsonNode whole = post("/v1/sessions/" + s2 + "/step", "{\"text\": \"" + text + "\"}").json();
        JsonNode first = post("/v1/sessions/" + s1 + "/step", "{\"text\": \"hel\"}").json();
        first.get("nll").forEach(nll1::add);
        JsonNode rest = post("/v1/sessions/" + s1 + "/step", "{\"text\": \"lo world\"}").json();
        rest.get("nll").forEach(nll1::add);
        assertThat(nll1).hasSize(text.length());
        assertThat(nll1.get(0).isNull()).isTrue();
        assertThat(whole.get("nll").get(0).isNull()).isTrue();
        for (int t = 1; t < text.length(); t++) assertThat(nll1.get(t).asDouble()).isCloseTo(whole.get("nll").get(t).asDouble(), within(1e-5));
        assertThat(rest.get("next")).hasSize(5);
        for (int r = 0; r < 5; r++) {
            assertThat(rest.get("next").get(r).get("token")).isEqualTo(whole.get("next").get(r).get("token"));
            assertThat(rest.get("next").get(r).get("p").asDouble()).isCloseTo(whole.get("next").get(r).get("p").asDouble(), within(1e-6));
        }

        // the same as the whole text run at once through the model
        LanguageModel lm = LanguageModel.load(lmFile);
        int[] ids = Tokenizer.CHAR.encode(text, lm.vocabulary());
        Tensor logits;
        try (var off = Tape.noGrad()) {
            logits = lm.forward(ids, ids.length, 1, null).logits().value();
        }
        int v = lm.vocabulary().size();
        for (int t = 1; t < ids.length; t++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < v; k++) max = Math.max(max, logits.at((t - 1) * v + k));
            for (int k = 0; k < v; k++) sum += Math.exp(logits.at((t - 1) * v + k) - max);
            double expected = max + Math.log(sum) - logits.at((t - 1) * v + ids[t]);
            assertThat(nll1.get(t).asDouble()).isCloseTo(expected, within(1e-4));
        }
        double p = 0;
        for (JsonNode n : rest.get("next")) p += n.get("p").asDouble();
        assertThat(p).isBetween(0.0, 1.0 + 1e-9);
        assertThat(post("/v1/sessions/" + s1 + "/step", "{\"text\": 3}").status()).isEqualTo(400);
    }

    @Test
    void metricsCountRequestsByRoute() throws Exception {
        get("/v1/health");
        post("/v1/models/nope/predict", "{}");
        Reply m = get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.contentType()).startsWith("text/plain");
        assertThat(m.body()).containsPattern("recur_requests_total\\{route=\"GET /v1/health\"\\} [1-9]")
                .containsPattern("recur_errors_total\\{route=\"POST /v1/models/\\{name\\}/predict\"\\} [1-9]")
                .contains("recur_request_seconds_bucket{route=\"GET /v1/health\",le=\"+Inf\"}")
                .contains("# TYPE recur_open_sessions gauge");
    }

    @Test
    void apiKeyBodyLimitSessionCapAndExpiry() throws Exception {
        var limited = Server.start(models(), new Server.Options("127.0.0.1", 0, 200, "s3cret", 2, Duration.ofMillis(300)));
        try {
            String at = "http://127.0.0.1:" + limited.port();
            String[] key = {"Authorization", "Bearer s3cret"};
            assertThat(send(at, "GET", "/v1/health", null).status()).isEqualTo(200);
            Reply denied = send(at, "GET", "/v1/models", null);
            assertThat(denied.status()).isEqualTo(401);
            assertThat(denied.json().get("error").asText()).isNotBlank();
            assertThat(send(at, "GET", "/v1/models", null, "Authorization", "Bearer wrong").status()).isEqualTo(401);
            assertThat(send(at, "GET", "/v1/models", null, key).status()).isEqualTo(200);

            Reply large = send(at, "POST", "/v1/models/lstm/predict", "{\"input\": " + sequence(40, 3, 1) + "}", key);
            assertThat(large.status()).isEqualTo(413);
            assertThat(large.json().get("error").asText()).contains("--max-body");

            String s1 = send(at, "POST", "/v1/models/lstm/sessions", null, key).json().get("session").asText();
            send(at, "POST", "/v1/models/lm/sessions", null, key);
            Reply full = send(at, "POST", "/v1/models/lstm/sessions", null, key);
            assertThat(full.status()).isEqualTo(429);
            assertThat(full.json().get("error").asText()).contains("sessions");
            Thread.sleep(600);
            assertThat(send(at, "POST", "/v1/sessions/" + s1 + "/step", "{\"input\": [[1, 2, 3]]}", key).status()).as("expired").isEqualTo(404);
            assertThat(send(at, "POST", "/v1/models/lstm/sessions", null, key).status()).isEqualTo(201);
            assertThat(send(at, "GET", "/metrics", null, key).body()).contains("recur_open_sessions 1");
        } finally {
            limited.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void stopLetsARequestInFlightFinish() throws Exception {
        var other = Server.start(models(), new Server.Options("127.0.0.1", 0, 1 << 20, null, 10, Duration.ofMinutes(1)));
        String at = "http://127.0.0.1:" + other.port();
        var reply = new java.util.concurrent.CompletableFuture<Reply>();
        var thread = new Thread(() -> {
            try {
                reply.complete(send(at, "POST", "/v1/models/lm/generate", "{\"max_tokens\": 20000, \"seed\": 1}"));
            } catch (Exception e) {
                reply.completeExceptionally(e);
            }
        });
        thread.start();
        Thread.sleep(300);
        other.stop(Duration.ofSeconds(20));
        Reply r = reply.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("text").asText()).isNotEmpty();
    }

    @Test
    void serveIsARecurCommand() {
        assertThat(Recur.commandLine().getSubcommands()).containsKey("serve");
        assertThat(new ServeCommand.Sizes().convert("1MiB")).isEqualTo(1 << 20);
        assertThat(new ServeCommand.Sizes().convert("64KiB")).isEqualTo(65536);
        assertThat(new ServeCommand.Sizes().convert("500")).isEqualTo(500);
    }
}
