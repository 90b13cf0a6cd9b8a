package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.task.Models;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class BatchingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "the quick brown fox jumps over the lazy dog";

    @TempDir
    static Path dir;

    static Path lstmFile, gruFile, lmFile;
    static Server server;
    static String base;
    static ExecutorService clients;

    @BeforeAll
    static void start() throws Exception {
        lstmFile = dir.resolve("lstm.safetensors");
        RecurrentModelFile.write(lstmFile, Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2), new Rng(7)));
        gruFile = dir.resolve("gru.safetensors");   // batch-first
        RecurrentModelFile.write(gruFile, Recurrent.of(RecurrentConfig.gru(3, 5).withLayers(2).withBatchFirst(), new Rng(8)));
        var symbols = new ArrayList<>(List.of(Vocabulary.UNKNOWN, " ", "\n"));
        for (char ch = 'a'; ch <= 'z'; ch++) symbols.add(String.valueOf(ch));
        lmFile = dir.resolve("lm.safetensors");
        new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 4, 6, 2, 0f), Vocabulary.of(symbols), new Rng(1)).save(lmFile);
        var models = new LinkedHashMap<String, ServedModel>();
        models.put("lstm", new ServedModel("lstm", Models.open(lstmFile)));
        models.put("gru", new ServedModel("gru", Models.open(gruFile)));
        models.put("lm", new ServedModel("lm", Models.open(lmFile)));
        server = Server.start(models, new Server.Options("127.0.0.1", 0, 1 << 20, null, 1000, Duration.ofMinutes(5), 16, Duration.ofMillis(50)));
        base = "http://127.0.0.1:" + server.port();
        clients = Executors.newFixedThreadPool(32);
    }

    @AfterAll
    static void stop() {
        if (clients != null) clients.shutdownNow();
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    static JsonNode post(String path, String body) throws Exception {
        return post(base, path, body);
    }

    static JsonNode post(String at, String path, String body) throws Exception {
        ServerTest.Reply r = ServerTest.send(at, "POST", path, body);
        assertThat(r.status()).as(path + " " + r.body()).isIn(200, 201);
        return r.json();
    }

    static double[][] sequence(int steps, int features, long seed) {
        var random = new SplittableRandom(seed);
        double[][] x = new double[steps][features];
        for (double[] row : x) for (int f = 0; f < features; f++) row[f] = random.nextDouble(-1, 1);
        return x;
    }

    static Tensor tensor(double[][] x, int... shape) {
        float[] data = new float[x.length * x[0].length];
        for (int t = 0; t < x.length; t++) for (int f = 0; f < x[0].length; f++) data[t * x[0].length + f] = (float) x[t][f];
        return Tensor.of(data, shape);
    }

    /** Every number of {@code json}, depth first. */
    static List<Double> numbers(JsonNode json) {
        var out = new ArrayList<Double>();
        if (json.isNumber()) out.add(json.asDouble());
        else json.forEach(e -> out.addAll(numbers(e)));
        return out;
    }

    static void assertClose(JsonNode json, Tensor expected) {
        List<Double> got = numbers(json);
        assertThat(got).hasSize(expected.size());
        for (int i = 0; i < got.size(); i++) assertThat(got.get(i)).as("element " + i).isCloseTo(expected.at(i), within(1e-5));
    }

    /** {@code x} [T][F] run alone, in one piece, from zeros: the output [T, H] as the model's layout gives it. */
    static Tensor alone(Path file, double[][] x) throws Exception {
        Recurrent rnn = RecurrentModelFile.read(file);
        int steps = x.length;
        Tensor in = rnn.config().batchFirst() ? tensor(x, 1, steps, 3) : tensor(x, steps, 1, 3);
        try (var off = Tape.noGrad()) {
            return rnn.forward(Variable.of(in)).output().value().copy();
        }
    }

    /** A session stepped through {@code x} in pieces of 1 to 4 steps: its outputs, in order. */
    static List<JsonNode> stepThrough(String model, double[][] x, long seed) throws Exception {
        String session = post("/v1/models/" + model + "/sessions", null).get("session").asText();
        var random = new SplittableRandom(seed);
        var rows = new ArrayList<JsonNode>();
        for (int from = 0; from < x.length; ) {
            int to = Math.min(x.length, from + 1 + random.nextInt(4));
            double[][] piece = java.util.Arrays.copyOfRange(x, from, to);
            post("/v1/sessions/" + session + "/step", "{\"input\": " + JSON.writeValueAsString(piece) + "}").get("output").forEach(rows::add);
            from = to;
        }
        return rows;
    }

    /** A language model session fed {@code text} in pieces: the nll of every token. */
    static List<JsonNode> score(String text, long seed) throws Exception {
        String session = post("/v1/models/lm/sessions", null).get("session").asText();
        var random = new SplittableRandom(seed);
        var nll = new ArrayList<JsonNode>();
        for (int from = 0; from < text.length(); ) {
            int to = Math.min(text.length(), from + 1 + random.nextInt(6));
            post("/v1/sessions/" + session + "/step", JSON.createObjectNode().put("text", text.substring(from, to)).toString()).get("nll").forEach(nll::add);
            from = to;
        }
        return nll;
    }

    /** A predict request of two sequences of different lengths, with h0 and c0, checked against the same input run alone. */
    static Void predict(long seed) throws Exception {
        var random = new SplittableRandom(seed);
        int steps = 2 + random.nextInt(5);
        double[][][] x = new double[steps][2][3];
        for (double[][] t : x) for (double[] row : t) for (int f = 0; f < 3; f++) row[f] = random.nextDouble(-1, 1);
        double[][][] h0 = new double[2][2][4], c0 = new double[2][2][4];
        for (double[][][] s : List.of(h0, c0)) for (double[][] l : s) for (double[] row : l) for (int k = 0; k < 4; k++) row[k] = random.nextDouble(-1, 1);
        int[] lengths = {steps, 1 + random.nextInt(steps)};
        var body = JSON.createObjectNode();
        body.set("input", JSON.valueToTree(x));
        body.set("h0", JSON.valueToTree(h0));
        body.set("c0", JSON.valueToTree(c0));
        body.set("lengths", JSON.valueToTree(lengths));
        JsonNode answer = post("/v1/models/lstm/predict", body.toString());

        Recurrent rnn = RecurrentModelFile.read(lstmFile);
        RecurrentOutput out;
        try (var off = Tape.noGrad()) {
            out = rnn.forward(Variable.of(flat(x, steps, 2, 3)), Lengths.of(lengths), RecurrentState.of(flat(h0, 2, 2, 4), flat(c0, 2, 2, 4)));
        }
        assertClose(answer.get("output"), out.output().value());
        assertClose(answer.get("h_n"), out.h().value());
        assertClose(answer.get("c_n"), out.c().value());
        return null;
    }

    static Tensor flat(double[][][] x, int... shape) {
        float[] data = new float[Tensor.sizeOf(shape)];
        int i = 0;
        for (double[][] a : x) for (double[] b : a) for (double v : b) data[i++] = (float) v;
        return Tensor.of(data, shape);
    }

    @Test
    void concurrentSessionsAndPredictionsEqualEachSequenceRunAlone() throws Exception {
        // a batch of two sequences each: the stacks' next batches wait --batch-wait for company, as under load
        for (String model : List.of("lstm", "gru")) {
            double[][] two = sequence(2, 3, 99);
            String x = model.equals("gru") ? JSON.writeValueAsString(new double[][][] {{two[0]}, {two[1]}}) : JSON.writeValueAsString(new double[][][] {two});
            post("/v1/models/" + model + "/predict", "{\"input\": " + x + "}");
        }
        var tasks = new ArrayList<Callable<Void>>();
        for (int i = 0; i < 32; i++) {
            long seed = 100 + i;
            String model = i % 2 == 0 ? "lstm" : "gru";
            Path file = i % 2 == 0 ? lstmFile : gruFile;
            tasks.add(() -> {
                double[][] x = sequence(6 + (int) (seed % 7), 3, seed);
                List<JsonNode> rows = stepThrough(model, x, seed);
                assertClose(JSON.valueToTree(rows), alone(file, x));
                return null;
            });
        }
        for (int i = 0; i < 8; i++) {
            long seed = 200 + i;
            tasks.add(() -> predict(seed));
        }
        LanguageModel lm = LanguageModel.load(lmFile);
        for (int i = 0; i < 8; i++) {
            long seed = 300 + i;
            String text = TEXT.substring(i, 20 + 2 * i);
            tasks.add(() -> {
                List<JsonNode> nll = score(text, seed);
                int[] ids = Tokenizer.CHAR.encode(text, lm.vocabulary());
                Tensor logits;
                synchronized (lm) {
                    try (var off = Tape.noGrad()) {
                        logits = lm.forward(ids, ids.length, 1, null).logits().value().copy();
                    }
                }
                int v = lm.vocabulary().size();
                assertThat(nll).hasSize(ids.length);
                assertThat(nll.get(0).isNull()).isTrue();
                for (int t = 1; t < ids.length; t++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int k = 0; k < v; k++) max = Math.max(max, logits.at((t - 1) * v + k));
                    for (int k = 0; k < v; k++) sum += Math.exp(logits.at((t - 1) * v + k) - max);
                    assertThat(nll.get(t).asDouble()).isCloseTo(max + Math.log(sum) - logits.at((t - 1) * v + ids[t]), within(1e-5));
                }
                return null;
            });
        }
        for (Future<Void> f : clients.invokeAll(tasks)) f.get();

        String metrics = ServerTest.send(base, "GET", "/metrics", null).body();
        for (String model : List.of("lstm", "gru")) {   // the language model's batches: as the stacks', by the same Batcher
            assertThat(sizes(metrics, model, "sum")).as(model + ": some batch ran more than one sequence")
                    .isGreaterThan(sizes(metrics, model, "count"));
        }
        assertThat(metrics).contains("# TYPE recur_batch_size histogram").contains("recur_batch_size_bucket{model=\"lstm\",le=\"16\"}");
        Matcher over = Pattern.compile("recur_batch_size_bucket\\{model=\"lstm\",le=\"16\"\\} (\\d+)").matcher(metrics);
        assertThat(over.find()).isTrue();
        assertThat(Long.parseLong(over.group(1))).as("no batch over --max-batch").isEqualTo(sizes(metrics, "lstm", "count"));
    }

    static long sizes(String metrics, String model, String what) {
        Matcher m = Pattern.compile("recur_batch_size_" + what + "\\{model=\"" + model + "\"\\} (\\d+)").matcher(metrics);
        assertThat(m.find()).as(what + " for " + model).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aSecondStepWaitsForTheFirst() throws Exception {
        var models = new LinkedHashMap<String, ServedModel>();
        models.put("lstm", new ServedModel("lstm", Models.open(lstmFile)));
        var slow = Server.start(models, new Server.Options("127.0.0.1", 0, 1 << 20, null, 10, Duration.ofMinutes(1), 16, Duration.ofMillis(800)));
        try {
            String at = "http://127.0.0.1:" + slow.port();
            double[][] x = sequence(5, 3, 42);
            String session = post(at, "/v1/models/lstm/sessions", null).get("session").asText();
            post(at, "/v1/models/lstm/predict", "{\"input\": " + JSON.writeValueAsString(new double[][][] {{x[0], x[1]}}) + "}");   // company: the next batch waits
            String first = JSON.writeValueAsString(java.util.Arrays.copyOfRange(x, 0, 3));
            String second = JSON.writeValueAsString(java.util.Arrays.copyOfRange(x, 3, 5));
            // the first waits 800 ms (--batch-wait) for company; the second comes meanwhile, and must not join it
            CompletableFuture<JsonNode> a = CompletableFuture.supplyAsync(() -> call(at, "/v1/sessions/" + session + "/step", "{\"input\": " + first + "}"), clients);
            Thread.sleep(300);
            JsonNode b = post(at, "/v1/sessions/" + session + "/step", "{\"input\": " + second + "}");
            var rows = new ArrayList<JsonNode>();
            a.get().get("output").forEach(rows::add);
            b.get("output").forEach(rows::add);
            assertClose(JSON.valueToTree(rows), alone(lstmFile, x));
        } finally {
            slow.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void concurrentOneStepPiecesEqualEachSequenceRunAlone() throws Exception {
        // every piece one step: batches of them run as one Stepper step (LSTM fused, batch-first GRU general path)
        var tasks = new ArrayList<Callable<Void>>();
        for (int i = 0; i < 16; i++) {
            long seed = 500 + i;
            String model = i % 2 == 0 ? "lstm" : "gru";
            Path file = i % 2 == 0 ? lstmFile : gruFile;
            tasks.add(() -> {
                double[][] x = sequence(8, 3, seed);
                String session = post("/v1/models/" + model + "/sessions", null).get("session").asText();
                var rows = new ArrayList<JsonNode>();
                for (double[] row : x) {
                    post("/v1/sessions/" + session + "/step", "{\"input\": [" + JSON.writeValueAsString(row) + "]}").get("output").forEach(rows::add);
                }
                assertClose(JSON.valueToTree(rows), alone(file, x));
                return null;
            });
        }
        for (Future<Void> f : clients.invokeAll(tasks)) f.get();
    }

    @Test
    void whatArrivesWhileABatchRunsRunsAsTheNextBatch() throws Exception {
        var batches = new java.util.concurrent.CopyOnWriteArrayList<List<Integer>>();
        var running = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        var batcher = new Batcher<Integer>("test", 8, Duration.ZERO, n -> 1, items -> {
            batches.add(List.copyOf(items));
            if (items.contains(0)) {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return items.stream().map(n -> JSON.createObjectNode().put("n", n)).toList();
        }, size -> {});
        try {
            var first = CompletableFuture.supplyAsync(() -> batcher.submit(0), clients);   // runs on the client's thread, and holds
            running.await();
            var later = new ArrayList<CompletableFuture<com.fasterxml.jackson.databind.node.ObjectNode>>();
            for (int i = 1; i <= 3; i++) later.add(batcher.submit(i));
            release.countDown();
            assertThat(first.get(1, java.util.concurrent.TimeUnit.MINUTES).get(1, java.util.concurrent.TimeUnit.MINUTES).get("n").asInt()).isZero();
            for (int i = 1; i <= 3; i++) assertThat(later.get(i - 1).get(1, java.util.concurrent.TimeUnit.MINUTES).get("n").asInt()).isEqualTo(i);
            assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3));
        } finally {
            release.countDown();
            batcher.stop();
        }
    }

    @Test
    void aLoneStreamIsNotKeptWaiting() throws Exception {
        var batches = new ArrayList<Integer>();
        var batcher = new Batcher<Integer>("test", 8, Duration.ofHours(1), n -> n, items -> items.stream().map(n -> JSON.createObjectNode().put("n", n)).toList(), batches::add);
        try {
            assertThat(batcher.submit(1).get(1, java.util.concurrent.TimeUnit.MINUTES).get("n").asInt()).isEqualTo(1);
            assertThat(batcher.submit(1).get(1, java.util.concurrent.TimeUnit.MINUTES).get("n").asInt()).isEqualTo(1);
            assertThat(batches).containsExactly(1, 1);
        } finally {
            batcher.stop();
        }
    }

    private static JsonNode call(String at, String path, String body) {
        try {
            return post(at, path, body);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void waitsAreRead() {
        var waits = new ServeCommand.Waits();
        assertThat(waits.convert("2ms")).isEqualTo(Duration.ofMillis(2));
        assertThat(waits.convert("500us")).isEqualTo(Duration.ofNanos(500_000));
        assertThat(waits.convert("0")).isEqualTo(Duration.ZERO);
        assertThat(waits.convert("0.05s")).isEqualTo(Duration.ofMillis(50));
    }
}
