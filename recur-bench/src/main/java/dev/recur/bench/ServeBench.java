package dev.recur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.CommonOptions;
import dev.recur.cli.Durations;
import dev.recur.io.RecurrentModelFile;
import dev.recur.kernel.Parallel;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentState;
import dev.recur.nn.Stepper;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code recur bench serve}: {@code recur serve} under load. It starts the server in a JVM of its own on loopback,
 * serving a recurrent stack (2 × 512 LSTM by default), and drives it from this JVM with N concurrent clients: each
 * opens a session and steps it one input at a time, then (predict mode) sends one-step predict requests. For each N
 * it measures aggregate steps/s, p50/p99 latency, errors and the server's peak resident memory, and beside them the
 * two bounds the throughput is judged by: the HTTP bound (requests/s of {@code GET /v1/health}, which does no work,
 * under the same number of clients) and the compute bound (N ÷ the in-process time of one batched step of N
 * sequences). Every session's outputs are compared with its sequence run alone, offline. A soak then keeps many
 * sessions stepping for minutes, each client opening a new session when its last one ends, with the server's
 * memory sampled as it goes.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "recur serve under load: concurrent streaming sessions and predict requests against a recurrent stack.",
        footer = {"%nThe server runs in a JVM of its own with this JVM's options; clients and server share the machine's",
                "cores. Inputs are multiples of 1/1024, which JSON carries exactly.",
                "%nExamples:",
                "  recur bench serve --sessions 1,16,256,1000 --json serve.json",
                "  recur bench serve --sessions 256 --steps 200 --batch-wait 1ms",
                "  recur bench serve --sessions 1 --soak 5m --soak-sessions 1000"})
final class ServeBench implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-5;

    @Mixin
    CommonOptions common;

    @Option(names = "--sessions", split = ",", paramLabel = "N", defaultValue = "1,16,256,1000",
            description = "Concurrent clients, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> sessions;

    @Option(names = "--steps", paramLabel = "T", defaultValue = "100", description = "Steps each session takes (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--predicts", paramLabel = "R", defaultValue = "20",
            description = "One-step predict requests each client sends in predict mode; 0 skips it (default: ${DEFAULT-VALUE}).")
    int predicts;

    @Option(names = "--cell", paramLabel = "CELL", defaultValue = "lstm", description = "lstm, gru or rnn (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "2", description = "Layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "512", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--input", paramLabel = "F", defaultValue = "512", description = "Input features (default: ${DEFAULT-VALUE}).")
    int input;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "256", description = "The server's --max-batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--batch-wait", paramLabel = "TIME", defaultValue = "2ms", description = "The server's --batch-wait (default: ${DEFAULT-VALUE}).")
    String batchWait;

    @Option(names = "--soak", paramLabel = "TIME", converter = Durations.class,
            description = "After the runs, keep --soak-sessions sessions stepping this long, e.g. 5m.")
    Duration soak;

    @Option(names = "--soak-sessions", paramLabel = "N", defaultValue = "1000", description = "Concurrent sessions in the soak (default: ${DEFAULT-VALUE}).")
    int soakSessions;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    private Recurrent model;
    private HttpClient http;
    private String base;
    private long serverPid;

    /** One client count's figures. */
    record Run(int clients, String mode, long requests, double seconds, double perSecond, double p50Ms, double p99Ms, long errors,
               long mismatched, double maxDifference, double httpBound, double computeBound, long peakRssMb, double meanBatch) {}

    /** The soak's figures. */
    record Soak(int clients, double seconds, long steps, long sessions, long errors, long checked, long mismatched, double maxDifference,
                double perSecond, List<long[]> rssMb) {}

    @Override
    public Integer call() throws Exception {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (sessions.stream().anyMatch(n -> n < 1)) throw new IllegalArgumentException("--sessions must be at least 1 each");
        var config = RecurrentConfig.of(CellType.valueOf(cell.toUpperCase(Locale.ROOT)), input, hidden).withLayers(layers);
        model = Recurrent.of(config, new Rng(common.seed));
        Path dir = Files.createTempDirectory("recur-bench-serve");
        Path file = dir.resolve("stack.safetensors");
        RecurrentModelFile.write(file, model);

        say("in-process: one step of one sequence, and one batched step of N");
        double stepMs = inProcessStepMs(1), stepperMs = stepperMs();
        Map<Integer, Double> batchedMs = new LinkedHashMap<>();
        for (int n : sessions) batchedMs.put(n, inProcessStepMs(Math.min(n, maxBatch)));

        int most = Math.max(sessions.stream().mapToInt(Integer::intValue).max().orElse(1), soak == null ? 0 : soakSessions);
        Process server = startServer(file, most);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-client");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().executor(pool).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
        var runs = new ArrayList<Run>();
        Soak soaked = null;
        try {
            say("warming up");
            sessionRun(4, Math.max(steps, 200), 1000);
            sessionRun(64, 50, 2000);
            for (int n : sessions) {
                double httpBound = healthRate(n, Math.max(steps, 20));
                double compute = Math.min(n, maxBatch) / (batchedMs.get(n) / 1e3);
                clearPeak();
                Map<String, Double> before = batchSizes();
                Run r = sessionRun(n, steps, 10_000 + 100_000L * n);
                Map<String, Double> after = batchSizes();
                double meanBatch = (after.get("sum") - before.get("sum")) / Math.max(1, after.get("count") - before.get("count"));
                runs.add(new Run(n, "session", r.requests(), r.seconds(), r.perSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.mismatched(),
                        r.maxDifference(), httpBound, compute, peakRssMb(), meanBatch));
                say(String.format(Locale.ROOT, "%5d sessions: %,.0f steps/s, p50 %.2f ms, p99 %.2f ms, %d errors, %d mismatched, mean batch %.1f",
                        n, r.perSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.mismatched(), meanBatch));
                if (predicts > 0) {
                    clearPeak();
                    before = batchSizes();
                    Run p = predictRun(n, predicts, 20_000_000L + 100_000L * n);
                    after = batchSizes();
                    meanBatch = (after.get("sum") - before.get("sum")) / Math.max(1, after.get("count") - before.get("count"));
                    runs.add(new Run(n, "predict", p.requests(), p.seconds(), p.perSecond(), p.p50Ms(), p.p99Ms(), p.errors(), p.mismatched(),
                            p.maxDifference(), httpBound, compute, peakRssMb(), meanBatch));
                    say(String.format(Locale.ROOT, "%5d clients: %,.0f predicts/s, p50 %.2f ms, p99 %.2f ms, %d errors, %d mismatched",
                            n, p.perSecond(), p.p50Ms(), p.p99Ms(), p.errors(), p.mismatched()));
                }
            }
            if (soak != null) soaked = soak();
        } finally {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly();
            pool.shutdownNow();
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        report(config, stepMs, stepperMs, batchedMs, runs, soaked, server.exitValue());
        return 0;
    }

    // ---- in process ----

    /** Median milliseconds of one forward step of {@code batch} sequences from a carried state, as the server runs it. */
    private double inProcessStepMs(int batch) {
        Rng rng = new Rng(5);
        Tensor x = inputs(rng, 1, batch);
        RecurrentState state = model.zeroState(batch);
        int[] lengths = new int[batch];
        Arrays.fill(lengths, 1);
        int reps = (int) Math.max(20, Math.min(2000, 4000 / batch));
        long[] times = new long[reps];
        try (var off = Tape.noGrad()) {
            for (int i = -reps / 4; i < reps; i++) {
                long t0 = System.nanoTime();
                var out = model.forward(Variable.of(x), Lengths.of(lengths), state);
                state = model.config().cell() == CellType.LSTM ? RecurrentState.of(out.h().value(), out.c().value()) : RecurrentState.of(out.h().value());
                if (i >= 0) times[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(times);
        return times[reps / 2] / 1e6;
    }

    /** Median milliseconds of one step of {@link Recurrent#stepper()}, the library's streaming step. */
    private double stepperMs() {
        Stepper stepper = model.stepper();
        Tensor x = inputs(new Rng(6), 1, 1).reshape(1, input);
        RecurrentState state = model.zeroState(1);
        long[] times = new long[2000];
        for (int i = -500; i < times.length; i++) {
            long t0 = System.nanoTime();
            state = stepper.step(x, state).state();
            if (i >= 0) times[i] = System.nanoTime() - t0;
        }
        Arrays.sort(times);
        return times[times.length / 2] / 1e6;
    }

    /** [T, B, F] inputs, each a multiple of 1/1024 in [-1, 1], so that JSON carries them exactly. */
    private Tensor inputs(Rng rng, int t, int batch) {
        float[] data = new float[t * batch * input];
        for (int i = 0; i < data.length; i++) data[i] = (rng.nextInt(2049) - 1024) / 1024f;
        return Tensor.of(data, t, batch, input);
    }

    /** The outputs [T][H] of {@code x} [T, 1, F] run alone from a zero state. */
    private float[] alone(Tensor x) {
        try (var off = Tape.noGrad()) {
            return model.forward(Variable.of(x)).output().value().copy().data();
        }
    }

    // ---- the server ----

    private Process startServer(Path file, int most) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<String>(List.of(java));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.recur.cli.Recur", "serve", "--model", "m=" + file,
                "--port", "0", "--max-batch", Integer.toString(maxBatch), "--batch-wait", batchWait,
                "--max-sessions", Integer.toString(Math.max(10_000, 2 * most)), "--session-idle", "10m"));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        serverPid = p.pid();
        var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        Matcher m = line == null ? null : Pattern.compile("listening on (http://\\S+)").matcher(line);
        if (m == null || !m.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("the server did not start: " + line);
        }
        base = m.group(1);
        Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "server-stdout");
        drain.setDaemon(true);
        drain.start();
        say("server " + base + " (pid " + serverPid + ")");
        return p;
    }

    private void clearPeak() {
        try {
            Files.writeString(Path.of("/proc/" + serverPid + "/clear_refs"), "5");
        } catch (IOException e) {
            // not Linux, or not allowed: the peak is the process's whole lifetime's
        }
    }

    /** A /proc/PID/status field in MB (VmHWM: peak resident, VmRSS: resident now); -1 when unknown. */
    private long memoryMb(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
                if (l.startsWith(field + ":")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    private long peakRssMb() {
        return memoryMb("VmHWM");
    }

    /** The server's batch-size histogram's sum and count for the model. */
    private Map<String, Double> batchSizes() throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        var result = new LinkedHashMap<String, Double>();
        for (String what : List.of("sum", "count")) {
            Matcher m = Pattern.compile("recur_batch_size_" + what + "\\{model=\"m\"\\} (\\S+)").matcher(text);
            result.put(what, m.find() ? Double.parseDouble(m.group(1)) : 0);
        }
        return result;
    }

    // ---- clients ----

    /** What the clients of one run saw. */
    private static final class Tally {
        final LongAdder errors = new LongAdder();
        final LongAdder mismatched = new LongAdder();
        final AtomicLong maxDiffBits = new AtomicLong(Double.doubleToLongBits(0));
        final List<long[]> latencies = new ArrayList<>();
        volatile String firstError;

        void error(String what) {
            errors.increment();
            if (firstError == null) firstError = what;
        }

        void difference(double d) {
            maxDiffBits.accumulateAndGet(Double.doubleToLongBits(d), (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);
        }

        double maxDifference() {
            return Double.longBitsToDouble(maxDiffBits.get());
        }
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** {@code x[t]} of a [T, 1, F] tensor as a JSON row of numbers. */
    private String row(Tensor x, int t) {
        var b = new StringBuilder(input * 8);
        b.append('[');
        for (int f = 0; f < input; f++) {
            if (f > 0) b.append(',');
            b.append(x.data()[x.offset() + t * input + f]);
        }
        return b.append(']').toString();
    }

    /** Opens a session; its id. */
    private CompletableFuture<String> open() {
        return http.sendAsync(post("/v1/models/m/sessions", ""), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.statusCode() != 201) throw new IllegalStateException("open: " + r.statusCode() + " " + r.body());
            try {
                return JSON.readTree(r.body()).get("session").asText();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * One session's whole life from an open session: {@code x.length} steps, each sent after the previous answer,
     * then closed; completes with the outputs [T][H] (null rows for failed steps).
     */
    private CompletableFuture<float[][]> stepThrough(String id, Tensor x, long[] latency, int from, Tally tally) {
        int t = x.dim(0);
        float[][] outputs = new float[t][];
        var done = new CompletableFuture<float[][]>();
        stepFrom(id, x, 0, outputs, latency, from, tally, done);
        return done.thenCompose(o -> http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/sessions/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).handle((r, e) -> {
                    if (e != null || r.statusCode() != 204) tally.error("close: " + (e != null ? e : r.statusCode()));
                    return o;
                }));
    }

    private void stepFrom(String id, Tensor x, int t, float[][] outputs, long[] latency, int from, Tally tally, CompletableFuture<float[][]> done) {
        if (t == x.dim(0)) {
            done.complete(outputs);
            return;
        }
        String body = "{\"input\": [" + row(x, t) + "]}";
        long t0 = System.nanoTime();
        http.sendAsync(post("/v1/sessions/" + id + "/step", body), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
            if (latency != null && from + t < latency.length) latency[from + t] = System.nanoTime() - t0;
            if (e != null || r.statusCode() != 200) {
                tally.error("step: " + (e != null ? e : r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8)));
            } else {
                try {
                    outputs[t] = floats(JSON.readTree(r.body()).get("output").get(0));
                } catch (IOException | RuntimeException x2) {
                    tally.error("step answer: " + x2);
                }
            }
            stepFrom(id, x, t + 1, outputs, latency, from, tally, done);
        });
    }

    private static float[] floats(JsonNode row) {
        float[] v = new float[row.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) row.get(i).asDouble();
        return v;
    }

    /** Compares a session's outputs with its sequence run alone; true when they agree to {@link #TOLERANCE}. */
    private boolean check(Tensor x, float[][] outputs, Tally tally) {
        float[] expected = alone(x);
        double worst = 0;
        boolean ok = true;
        for (int t = 0; t < outputs.length; t++) {
            if (outputs[t] == null) continue;   // an error, counted as one
            if (outputs[t].length != hidden) return false;
            for (int k = 0; k < hidden; k++) {
                double d = Math.abs(outputs[t][k] - expected[t * hidden + k]);
                worst = Math.max(worst, d);
                if (!(d <= TOLERANCE * Math.max(1, Math.abs(expected[t * hidden + k])))) ok = false;
            }
        }
        tally.difference(worst);
        return ok;
    }

    /** N clients, each opening a session and stepping it {@code t} times; sessions' seeds from {@code seed}. */
    private Run sessionRun(int n, int t, long seed) throws Exception {
        var tally = new Tally();
        var ids = new ArrayList<String>();
        var opening = new ArrayList<CompletableFuture<String>>();
        for (int i = 0; i < n; i++) opening.add(open());
        for (var f : opening) ids.add(f.get(5, TimeUnit.MINUTES));
        var xs = new ArrayList<Tensor>();
        for (int i = 0; i < n; i++) xs.add(inputs(new Rng(seed + i), t, 1));
        var results = new ArrayList<CompletableFuture<float[][]>>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long[] latency = new long[t];
            tally.latencies.add(latency);
            results.add(stepThrough(ids.get(i), xs.get(i), latency, 0, tally));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < n; i++) {
            if (!check(xs.get(i), results.get(i).get(), tally)) tally.mismatched.increment();
        }
        if (tally.firstError != null) say("first error: " + tally.firstError);
        return summary(n, "session", (long) n * t, seconds, tally);
    }

    /** N clients, each sending {@code r} one-step predict requests from a zero state. */
    private Run predictRun(int n, int r, long seed) throws Exception {
        var tally = new Tally();
        var xs = new ArrayList<Tensor>();
        for (int i = 0; i < n; i++) xs.add(inputs(new Rng(seed + i), r, 1));
        var results = new ArrayList<CompletableFuture<float[][]>>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long[] latency = new long[r];
            tally.latencies.add(latency);
            var outputs = new float[r][];
            var done = new CompletableFuture<float[][]>();
            predictFrom(xs.get(i), 0, outputs, latency, tally, done);
            results.add(done);
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < n; i++) {
            float[][] outputs = results.get(i).get();
            boolean ok = true;
            for (int k = 0; k < r; k++) {
                Tensor one = Tensor.of(Arrays.copyOfRange(xs.get(i).data(), k * input, (k + 1) * input), 1, 1, input);
                ok &= check(one, new float[][] {outputs[k]}, tally);
            }
            if (!ok) tally.mismatched.increment();
        }
        if (tally.firstError != null) say("first error: " + tally.firstError);
        return summary(n, "predict", (long) n * r, seconds, tally);
    }

    private void predictFrom(Tensor x, int k, float[][] outputs, long[] latency, Tally tally, CompletableFuture<float[][]> done) {
        if (k == x.dim(0)) {
            done.complete(outputs);
            return;
        }
        String body = "{\"input\": [[" + row(x, k) + "]]}";
        long t0 = System.nanoTime();
        http.sendAsync(post("/v1/models/m/predict", body), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
            latency[k] = System.nanoTime() - t0;
            if (e != null || r.statusCode() != 200) {
                tally.error("predict: " + (e != null ? e : r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8)));
            } else {
                try {
                    outputs[k] = floats(JSON.readTree(r.body()).get("output").get(0).get(0));
                } catch (IOException | RuntimeException x2) {
                    tally.error("predict answer: " + x2);
                }
            }
            predictFrom(x, k + 1, outputs, latency, tally, done);
        });
    }

    /** Requests/s of GET /v1/health from N clients, each sending {@code r} one after another. */
    private double healthRate(int n, int r) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + "/v1/health")).build();
        var all = new ArrayList<CompletableFuture<Void>>();
        var errors = new LongAdder();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            var done = new CompletableFuture<Void>();
            health(request, r, errors, done);
            all.add(done);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double rate = (double) n * r / ((System.nanoTime() - start) / 1e9);
        if (errors.sum() > 0) say(errors.sum() + " health requests failed");
        return rate;
    }

    private void health(HttpRequest request, int left, LongAdder errors, CompletableFuture<Void> done) {
        if (left == 0) {
            done.complete(null);
            return;
        }
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 200) errors.increment();
            health(request, left - 1, errors, done);
        });
    }

    private static Run summary(int n, String mode, long requests, double seconds, Tally tally) {
        long[] all = tally.latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        double p50 = all.length == 0 ? Double.NaN : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) Math.ceil(all.length * 0.99) - 1)] / 1e6;
        return new Run(n, mode, requests, seconds, requests / seconds, p50, p99, tally.errors.sum(), tally.mismatched.sum(),
                tally.maxDifference(), Double.NaN, Double.NaN, -1, Double.NaN);
    }

    // ---- the soak ----

    /** A finished session waiting for its check. */
    private record Finished(Tensor x, float[][] outputs) {}

    /**
     * {@code soakSessions} clients for {@link #soak}: each opens a session, steps it {@link #steps} times, closes it
     * and opens the next. A checker thread runs the finished sessions offline and compares; the server's resident
     * memory is sampled every 10 s.
     */
    private Soak soak() throws Exception {
        say("soak: " + soakSessions + " sessions for " + soak.toSeconds() + " s");
        var tally = new Tally();
        var stepsDone = new LongAdder();
        var sessionsDone = new LongAdder();
        var checked = new LongAdder();
        BlockingQueue<Finished> finished = new LinkedBlockingQueue<>(4 * soakSessions);
        long end = System.nanoTime() + soak.toNanos();
        var clients = new ArrayList<CompletableFuture<Void>>();
        long start = System.nanoTime();
        for (int i = 0; i < soakSessions; i++) {
            var done = new CompletableFuture<Void>();
            soakClient(i, 0, end, tally, stepsDone, sessionsDone, finished, done);
            clients.add(done);
        }
        Thread checker = new Thread(() -> {
            try {
                var batch = new ArrayList<Finished>();
                while (true) {
                    batch.clear();
                    batch.add(finished.take());
                    finished.drainTo(batch, CHECKED_TOGETHER - 1);
                    boolean last = batch.removeIf(f -> f.x() == null);
                    if (!batch.isEmpty()) checked.add(checkTogether(batch, tally));
                    if (last) return;
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }, "bench-checker");
        checker.setDaemon(true);
        checker.start();
        var rss = new ArrayList<long[]>();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(10_000, (end - System.nanoTime()) / 1_000_000)));
            long at = (System.nanoTime() - start) / 1_000_000_000L;
            rss.add(new long[] {at, memoryMb("VmRSS")});
            say(String.format(Locale.ROOT, "soak %4d s: %,d steps, %,d sessions done, %d errors, %d mismatched, server RSS %d MB",
                    at, stepsDone.sum(), sessionsDone.sum(), tally.errors.sum(), tally.mismatched.sum(), rss.get(rss.size() - 1)[1]));
        }
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        finished.put(new Finished(null, null));
        checker.join();
        if (tally.firstError != null) say("first error: " + tally.firstError);
        return new Soak(soakSessions, seconds, stepsDone.sum(), sessionsDone.sum(), tally.errors.sum(), checked.sum(), tally.mismatched.sum(),
                tally.maxDifference(), stepsDone.sum() / seconds, rss);
    }

    /** Finished soak sessions checked as one offline batch. */
    private static final int CHECKED_TOGETHER = 64;

    /**
     * Runs finished sessions' sequences offline as one batch (each column from a zero state; columns do not mix, as
     * the library's padding tests show) and compares each with what the server answered; how many were checked.
     */
    private int checkTogether(List<Finished> batch, Tally tally) {
        int b = batch.size();
        float[] data = new float[steps * b * input];
        for (int j = 0; j < b; j++) {
            float[] x = batch.get(j).x().data();
            for (int t = 0; t < steps; t++) System.arraycopy(x, t * input, data, (t * b + j) * input, input);
        }
        float[] expected;
        try (var off = Tape.noGrad()) {
            expected = model.forward(Variable.of(Tensor.of(data, steps, b, input))).output().value().copy().data();
        }
        for (int j = 0; j < b; j++) {
            float[][] outputs = batch.get(j).outputs();
            double worst = 0;
            boolean ok = true;
            for (int t = 0; t < steps; t++) {
                if (outputs[t] == null) continue;
                for (int k = 0; k < hidden; k++) {
                    float e = expected[(t * b + j) * hidden + k];
                    double d = Math.abs(outputs[t][k] - e);
                    worst = Math.max(worst, d);
                    if (!(d <= TOLERANCE * Math.max(1, Math.abs(e)))) ok = false;
                }
            }
            tally.difference(worst);
            if (!ok) tally.mismatched.increment();
        }
        return b;
    }

    /**
     * Checks a finished session while this client's next one runs: the checker thread falls behind at most
     * the queue's capacity, after which clients wait for it (so unchecked outputs cannot pile up).
     */
    private void soakClient(int client, int round, long end, Tally tally, LongAdder stepsDone, LongAdder sessionsDone,
                            BlockingQueue<Finished> finished, CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        Tensor x = inputs(new Rng(1_000_000_000L + 1_000_000L * round + client), steps, 1);
        open().thenCompose(id -> stepThrough(id, x, null, 0, tally)).whenComplete((outputs, e) -> {
            if (e != null) {
                tally.error("soak session: " + e);
            } else {
                stepsDone.add(steps);
                sessionsDone.increment();
                try {
                    finished.put(new Finished(x, outputs));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            CompletableFuture.runAsync(() -> soakClient(client, round + 1, end, tally, stepsDone, sessionsDone, finished, done));
        });
    }

    // ---- the report ----

    private void report(RecurrentConfig config, double stepMs, double stepperMs, Map<Integer, Double> batchedMs, List<Run> runs, Soak soaked,
                        int serverExit) throws IOException {
        String jdk = System.getProperty("java.vm.vendor") + " " + Runtime.version();
        System.out.printf(Locale.ROOT, "%n# recur bench serve — %s, %d cores, %s, %s%n%n", Machine.cpu(), Runtime.getRuntime().availableProcessors(),
                jdk, LocalDate.now());
        System.out.printf(Locale.ROOT, "Model: %d × %d %s, input %d; server --max-batch %d --batch-wait %s; %d threads per process;"
                        + " clients and server share the cores.%n%n", layers, hidden, cell.toUpperCase(Locale.ROOT), input, maxBatch, batchWait,
                Parallel.threads());
        System.out.printf(Locale.ROOT, "In process: one step of one sequence %.3f ms (Stepper %.3f ms).%n%n", stepMs, stepperMs);
        System.out.println("| clients | mode | requests | steps/s | p50 ms | p99 ms | errors | mismatched | mean batch | HTTP bound /s | compute bound /s | peak RSS MB |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Run r : runs) {
            System.out.printf(Locale.ROOT, "| %d | %s | %,d | %,.0f | %.2f | %.2f | %d | %d | %.1f | %,.0f | %,.0f | %d |%n", r.clients(), r.mode(),
                    r.requests(), r.perSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.mismatched(), r.meanBatch(), r.httpBound(), r.computeBound(),
                    r.peakRssMb());
        }
        if (soaked != null) {
            long warm = soaked.rssMb().stream().filter(s -> s[0] >= 60).mapToLong(s -> s[1]).min().orElse(-1);
            long top = soaked.rssMb().stream().filter(s -> s[0] >= 60).mapToLong(s -> s[1]).max().orElse(-1);
            System.out.printf(Locale.ROOT, "%nSoak: %d sessions for %.0f s: %,d steps (%,.0f/s), %,d sessions of %d steps, %d errors, %,d checked,"
                            + " %d mismatched (largest difference %.2g); server RSS after the first minute %d–%d MB.%n",
                    soaked.clients(), soaked.seconds(), soaked.steps(), soaked.perSecond(), soaked.sessions(), steps, soaked.errors(), soaked.checked(),
                    soaked.mismatched(), soaked.maxDifference(), warm, top);
        }
        System.out.printf("%nThe server exited with status %d.%n", serverExit);
        if (json != null) {
            var out = new LinkedHashMap<String, Object>();
            out.put("machine", Machine.cpu());
            out.put("cores", Runtime.getRuntime().availableProcessors());
            out.put("jdk", jdk);
            out.put("date", LocalDate.now().toString());
            out.put("model", Map.of("cell", cell, "layers", layers, "hidden", hidden, "input", input));
            out.put("server", Map.of("max_batch", maxBatch, "batch_wait", batchWait));
            out.put("in_process_step_ms", stepMs);
            out.put("stepper_step_ms", stepperMs);
            out.put("batched_step_ms", batchedMs);
            out.put("runs", runs);
            if (soaked != null) out.put("soak", soaked);
            out.put("server_exit", serverExit);
            JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
        }
    }

    private void say(String line) {
        if (!common.quiet) System.err.println("recur bench serve: " + line);
    }
}
