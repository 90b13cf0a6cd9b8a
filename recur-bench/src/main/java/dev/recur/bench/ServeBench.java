package dev.recur.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.CommonOptions;
import dev.recur.cli.Durations;
import dev.recur.cli.model.NestedArrays;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
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
 * sequences, through {@link Stepper} as the server runs it). Every session's outputs are compared with its sequence run alone, offline. A soak then keeps many
 * sessions stepping for minutes, each client opening a new session when its last one ends, with the server's
 * memory sampled as it goes.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "recur serve under load: concurrent streaming sessions and predict requests against a recurrent stack.",
        footer = {"%nThe server runs in a JVM of its own with this JVM's options; clients and server",
                "share the machine's cores. Inputs are multiples of 1/1024, which JSON carries",
                "exactly. Every session's outputs are compared with its sequence run alone.",
                "%nExamples:",
                "  recur bench serve --sessions 1,16,256,1000 --server-heap 1g --json serve.json",
                "  recur bench serve --sessions 256 --steps 200 --batch-wait 1ms",
                "  recur bench serve --sessions 1 --soak 5m --soak-sessions 1000"})
final class ServeBench implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-5;
    /** Steps a run takes at least, over all its sessions: a few sessions each take more than --steps. */
    private static final int MIN_STEPS = 3000;
    /** The pause before each in-process step of a stream: about one HTTP round trip, as a served stream's steps come. */
    private static final long PAUSE_NANOS = 500_000;

    @Mixin
    CommonOptions common;

    @Option(names = "--sessions", split = ",", paramLabel = "N", defaultValue = "1,16,256,1000",
            description = "Concurrent clients, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> sessions;

    @Option(names = "--steps", paramLabel = "T", defaultValue = "100",
            description = "Steps each session takes; runs of few sessions take more, 3,000 in all at least (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "25",
            description = "Seconds of one, then 64 sessions stepping before the runs, for the JIT compilers (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--server-heap", paramLabel = "SIZE",
            description = "The server JVM's largest heap (-Xmx), e.g. 1g; default: the JVM's choice, a quarter of the memory.")
    String serverHeap;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    private Recurrent model;
    private HttpClient http;
    private String base;
    private long serverPid;

    /** One client count's figures. */
    record Run(int clients, String mode, long requests, double seconds, double perSecond, double p50Ms, double p99Ms, long errors,
               long mismatched, double maxDifference, double httpBound, double computeBound, long peakRssMb, double meanBatch,
               double serverCpuUs, double clientCpuUs) {}

    /** The soak's figures. */
    record Soak(int clients, double seconds, long steps, long sessions, long errors, long checked, long mismatched, double maxDifference,
                double perSecond, List<long[]> rssMb) {}

    @Override
    public Integer call() throws Exception {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        if (warmup < 0) throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        if (sessions.stream().anyMatch(n -> n < 1)) throw new IllegalArgumentException("--sessions must be at least 1 each");
        var config = RecurrentConfig.of(CellType.valueOf(cell.toUpperCase(Locale.ROOT)), input, hidden).withLayers(layers);
        model = Recurrent.of(config, new Rng(common.seed));
        Path dir = Files.createTempDirectory("recur-bench-serve");
        Path file = dir.resolve("stack.safetensors");
        RecurrentModelFile.write(file, model);

        say("in-process: one step of one sequence");
        double stepMs = inProcessStepMs(1), stepperMs = stepperMs(1), pausedMs = stepperMs(1, PAUSE_NANOS), jsonUs = jsonUs();
        Map<Integer, Double> batchedMs = new LinkedHashMap<>();

        int most = Math.max(sessions.stream().mapToInt(Integer::intValue).max().orElse(1), soak == null ? 0 : soakSessions);
        Process server = startServer(file, most);
        http = new HttpClient();
        http.setMaxConnectionsPerDestination(Math.max(64, most + 16));
        http.setMaxRequestsQueuedPerDestination(Math.max(1024, 4 * most));
        http.setIdleTimeout(600_000);
        http.start();
        var runs = new ArrayList<Run>();
        Soak soaked = null;
        try {
            say("warming up");
            for (long until = System.nanoTime() + warmup * 600_000_000L, k = 0; System.nanoTime() < until; k++) sessionRun(1, 500, 1000 + k);
            for (long until = System.nanoTime() + warmup * 400_000_000L, k = 0; System.nanoTime() < until; k++) sessionRun(64, 50, 2000 + 100 * k);
            for (int n : sessions) {
                batchedMs.put(n, stepperMs(Math.min(n, maxBatch)));   // the server idle meanwhile
                double compute = Math.min(n, maxBatch) / (batchedMs.get(n) / 1e3);
                double httpBound = healthRate(n, Math.max(steps, 20));
                clearPeak();
                Map<String, Double> before = batchSizes();
                Run r = sessionRun(n, Math.max(steps, MIN_STEPS / n), 10_000 + 100_000L * n);
                Map<String, Double> after = batchSizes();
                double meanBatch = (after.get("sum") - before.get("sum")) / Math.max(1, after.get("count") - before.get("count"));
                runs.add(new Run(n, "session", r.requests(), r.seconds(), r.perSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.mismatched(),
                        r.maxDifference(), httpBound, compute, peakRssMb(), meanBatch, r.serverCpuUs(), r.clientCpuUs()));
                say(String.format(Locale.ROOT, "%5d sessions: %,.0f steps/s, p50 %.2f ms, p99 %.2f ms, %d errors, %d mismatched, mean batch %.1f",
                        n, r.perSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.mismatched(), meanBatch));
                if (predicts > 0) {
                    clearPeak();
                    before = batchSizes();
                    Run p = predictRun(n, Math.max(predicts, MIN_STEPS / 10 / n), 20_000_000L + 100_000L * n);
                    after = batchSizes();
                    meanBatch = (after.get("sum") - before.get("sum")) / Math.max(1, after.get("count") - before.get("count"));
                    runs.add(new Run(n, "predict", p.requests(), p.seconds(), p.perSecond(), p.p50Ms(), p.p99Ms(), p.errors(), p.mismatched(),
                            p.maxDifference(), httpBound, compute, peakRssMb(), meanBatch, p.serverCpuUs(), p.clientCpuUs()));
                    say(String.format(Locale.ROOT, "%5d clients: %,.0f predicts/s, p50 %.2f ms, p99 %.2f ms, %d errors, %d mismatched",
                            n, p.perSecond(), p.p50Ms(), p.p99Ms(), p.errors(), p.mismatched()));
                }
            }
            if (soak != null) soaked = soak();
        } finally {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly();
            http.stop();
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        report(config, stepMs, stepperMs, pausedMs, jsonUs, batchedMs, runs, soaked, server.exitValue());
        return 0;
    }

    // ---- in process ----

    /** Median milliseconds of one {@link Recurrent#forward} step of {@code batch} sequences from a carried state. */
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

    /**
     * Median milliseconds of one {@link Recurrent#stepper()} step of {@code batch} sequences from a carried state:
     * what the server runs for a batch of one-step pieces.
     */
    private double stepperMs(int batch) {
        return stepperMs(batch, 0);
    }

    /** As {@link #stepperMs(int)}, with a pause of {@code pauseNanos} before each step, as a stream's steps come. */
    private double stepperMs(int batch, long pauseNanos) {
        Stepper stepper = model.stepper();
        Tensor x = inputs(new Rng(6), 1, batch).reshape(batch, input);
        RecurrentState state = model.zeroState(batch);
        int reps = (int) Math.max(20, Math.min(2000, 4000 / batch));
        long[] times = new long[reps];
        for (int i = -reps / 4; i < reps; i++) {
            if (pauseNanos > 0) java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
            long t0 = System.nanoTime();
            state = stepper.step(x, state).state();
            if (i >= 0) times[i] = System.nanoTime() - t0;
        }
        Arrays.sort(times);
        return times[reps / 2] / 1e6;
    }

    /**
     * Median microseconds the server's JSON work for one step takes in process: reading a step's body into a
     * tensor (Jackson's tree, then {@link NestedArrays#read}) and writing the answer's row, with the server's settings.
     */
    private double jsonUs() throws IOException {
        ObjectMapper mapper = new ObjectMapper(JsonFactory.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build());
        Tensor x = inputs(new Rng(7), 1, 1);
        byte[] body = ("{\"input\": [" + row(x, 0) + "]}").getBytes(StandardCharsets.UTF_8);
        Tensor out = Tensor.uniform(new Rng(8), -1f, 1f, 1, hidden);
        var axes = List.of(NestedArrays.Axis.any("time steps"), new NestedArrays.Axis("features", input, "input_size"));
        long[] times = new long[5000];
        long sink = 0;
        for (int i = -5000; i < times.length; i++) {
            long t0 = System.nanoTime();
            Tensor read = NestedArrays.read("request", "input", mapper.readTree(body).get("input"), axes);
            var answer = mapper.createObjectNode();
            answer.set("output", NestedArrays.write(out));
            sink += read.size() + mapper.writeValueAsString(answer).length();
            if (i >= 0) times[i] = System.nanoTime() - t0;
        }
        if (sink == 42) say("");
        Arrays.sort(times);
        return times[times.length / 2] / 1e3;
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
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> !a.startsWith("-Xmx")).toList());
        if (serverHeap != null) command.add("-Xmx" + serverHeap);
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

    /**
     * CPU seconds used so far by the server (from /proc: user + system, in clock ticks of 10 ms) and by this JVM,
     * which the timed phase spends on its clients alone.
     */
    private double[] cpu() {
        double server = Double.NaN;
        try {
            String stat = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            server = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;   // utime, stime: fields 14 and 15
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new double[] {server, os.getProcessCpuTime() / 1e9};
    }

    /** Microseconds of CPU per request since {@code before}: the server's and the clients'. */
    private double[] used(double[] before, long requests) {
        double[] now = cpu();
        return new double[] {(now[0] - before[0]) / requests * 1e6, (now[1] - before[1]) / requests * 1e6};
    }

    private long peakRssMb() {
        return memoryMb("VmHWM");
    }

    /** The server's batch-size histogram's sum and count for the model. */
    private Map<String, Double> batchSizes() throws Exception {
        String text = http.GET(base + "/metrics").getContentAsString();
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
        double[] cpu = {Double.NaN, Double.NaN};   // µs per request in the timed phase: the server's, the clients'
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

    /** Sends a request; completes with the whole answer (a failure when there is none). */
    private CompletableFuture<ContentResponse> send(HttpMethod method, String path, String body) {
        Request request = http.newRequest(base + path).method(method).timeout(10, TimeUnit.MINUTES);
        if (body != null) request.body(new StringRequestContent("application/json", body));
        return new CompletableResponseListener(request, 1 << 24).send();
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
        return send(HttpMethod.POST, "/v1/models/m/sessions", null).thenApply(r -> {
            if (r.getStatus() != 201) throw new IllegalStateException("open: " + r.getStatus() + " " + r.getContentAsString());
            try {
                return JSON.readTree(r.getContent()).get("session").asText();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Each step's request body: {"input": [[...]]} holding one row of {@code x} [T, 1, F]. */
    private String[] stepBodies(Tensor x) {
        String[] bodies = new String[x.dim(0)];
        for (int t = 0; t < bodies.length; t++) bodies[t] = "{\"input\": [" + row(x, t) + "]}";
        return bodies;
    }

    /**
     * One session's whole life from an open session: one step per body, each sent after the previous answer,
     * then closed; completes with each step's answer as it came (null for a failed step), read later so that the
     * clients spend the machine's cores on sending, not on parsing.
     */
    private CompletableFuture<byte[][]> stepThrough(String id, String[] bodies, long[] latency, Tally tally) {
        byte[][] answers = new byte[bodies.length][];
        var done = new CompletableFuture<byte[][]>();
        stepFrom(id, bodies, 0, answers, latency, tally, done);
        return done.thenCompose(o -> send(HttpMethod.DELETE, "/v1/sessions/" + id, null).handle((r, e) -> {
            if (e != null || r.getStatus() != 204) tally.error("close: " + (e != null ? e : r.getStatus()));
            return o;
        }));
    }

    private void stepFrom(String id, String[] bodies, int t, byte[][] answers, long[] latency, Tally tally, CompletableFuture<byte[][]> done) {
        if (t == bodies.length) {
            done.complete(answers);
            return;
        }
        long t0 = System.nanoTime();
        send(HttpMethod.POST, "/v1/sessions/" + id + "/step", bodies[t]).whenComplete((r, e) -> {
            if (latency != null) latency[t] = System.nanoTime() - t0;
            if (e != null || r.getStatus() != 200) tally.error("step: " + (e != null ? e : r.getStatus() + " " + r.getContentAsString()));
            else answers[t] = r.getContent();
            stepFrom(id, bodies, t + 1, answers, latency, tally, done);
        });
    }

    /** The rows of {@code field}[0] of each answer (null where a step failed or its answer is unreadable, counted as an error). */
    private static float[][] rows(byte[][] answers, boolean nested, Tally tally) {
        float[][] rows = new float[answers.length][];
        for (int t = 0; t < answers.length; t++) {
            if (answers[t] == null) continue;
            try {
                JsonNode first = JSON.readTree(answers[t]).get("output").get(0);
                rows[t] = floats(nested ? first.get(0) : first);
            } catch (IOException | RuntimeException e) {
                tally.error("answer: " + e);
            }
        }
        return rows;
    }

    private static float[] floats(JsonNode row) {
        float[] v = new float[row.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) row.get(i).asDouble();
        return v;
    }

    /** Compares a session's outputs with its sequence run alone; true when they agree to {@link #TOLERANCE}. */
    private boolean check(Tensor x, float[][] outputs, Tally tally) {
        return agree(outputs, alone(x), 0, 1, tally);
    }

    /**
     * Whether {@code outputs} [T][H] (null rows: failed steps, counted as errors) agree to {@link #TOLERANCE} with
     * column {@code column} of {@code expected} [T, columns, H]; the largest difference goes to the tally.
     */
    private boolean agree(float[][] outputs, float[] expected, int column, int columns, Tally tally) {
        double worst = 0;
        boolean ok = true;
        for (int t = 0; t < outputs.length; t++) {
            if (outputs[t] == null) continue;
            if (outputs[t].length != hidden) return false;
            for (int k = 0; k < hidden; k++) {
                float e = expected[(t * columns + column) * hidden + k];
                double d = Math.abs(outputs[t][k] - e);
                worst = Math.max(worst, d);
                if (!(d <= TOLERANCE * Math.max(1, Math.abs(e)))) ok = false;
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
        var bodies = new ArrayList<String[]>();
        for (int i = 0; i < n; i++) {
            xs.add(inputs(new Rng(seed + i), t, 1));
            bodies.add(stepBodies(xs.get(i)));
        }
        var results = new ArrayList<CompletableFuture<byte[][]>>();
        double[] cpu = cpu();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long[] latency = new long[t];
            tally.latencies.add(latency);
            results.add(stepThrough(ids.get(i), bodies.get(i), latency, tally));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        tally.cpu = used(cpu, results.size() * (long) results.get(0).get().length);
        for (int i = 0; i < n; i++) {
            if (!check(xs.get(i), rows(results.get(i).get(), false, tally), tally)) tally.mismatched.increment();
        }
        if (tally.firstError != null) say("first error: " + tally.firstError);
        return summary(n, "session", (long) n * t, seconds, tally);
    }

    /** N clients, each sending {@code r} one-step predict requests from a zero state. */
    private Run predictRun(int n, int r, long seed) throws Exception {
        var tally = new Tally();
        var xs = new ArrayList<Tensor>();
        var bodies = new ArrayList<String[]>();
        for (int i = 0; i < n; i++) {
            xs.add(inputs(new Rng(seed + i), r, 1));
            String[] b = new String[r];
            for (int k = 0; k < r; k++) b[k] = "{\"input\": [[" + row(xs.get(i), k) + "]]}";
            bodies.add(b);
        }
        var results = new ArrayList<CompletableFuture<byte[][]>>();
        double[] cpu = cpu();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long[] latency = new long[r];
            tally.latencies.add(latency);
            var done = new CompletableFuture<byte[][]>();
            predictFrom(bodies.get(i), 0, new byte[r][], latency, tally, done);
            results.add(done);
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        tally.cpu = used(cpu, results.size() * (long) results.get(0).get().length);
        for (int i = 0; i < n; i++) {
            float[][] outputs = rows(results.get(i).get(), true, tally);
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

    private void predictFrom(String[] bodies, int k, byte[][] answers, long[] latency, Tally tally, CompletableFuture<byte[][]> done) {
        if (k == bodies.length) {
            done.complete(answers);
            return;
        }
        long t0 = System.nanoTime();
        send(HttpMethod.POST, "/v1/models/m/predict", bodies[k]).whenComplete((r, e) -> {
            latency[k] = System.nanoTime() - t0;
            if (e != null || r.getStatus() != 200) tally.error("predict: " + (e != null ? e : r.getStatus() + " " + r.getContentAsString()));
            else answers[k] = r.getContent();
            predictFrom(bodies, k + 1, answers, latency, tally, done);
        });
    }

    /** Requests/s of GET /v1/health from N clients, each sending {@code r} one after another. */
    private double healthRate(int n, int r) throws Exception {
        var all = new ArrayList<CompletableFuture<Void>>();
        var errors = new LongAdder();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            var done = new CompletableFuture<Void>();
            health(r, errors, done);
            all.add(done);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double rate = (double) n * r / ((System.nanoTime() - start) / 1e9);
        if (errors.sum() > 0) say(errors.sum() + " health requests failed");
        return rate;
    }

    private void health(int left, LongAdder errors, CompletableFuture<Void> done) {
        if (left == 0) {
            done.complete(null);
            return;
        }
        send(HttpMethod.GET, "/v1/health", null).whenComplete((r, e) -> {
            if (e != null || r.getStatus() != 200) errors.increment();
            health(left - 1, errors, done);
        });
    }

    private static Run summary(int n, String mode, long requests, double seconds, Tally tally) {
        long[] all = tally.latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0).sorted().toArray();
        double p50 = all.length == 0 ? Double.NaN : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? Double.NaN : all[Math.min(all.length - 1, (int) Math.ceil(all.length * 0.99) - 1)] / 1e6;
        return new Run(n, mode, requests, seconds, requests / seconds, p50, p99, tally.errors.sum(), tally.mismatched.sum(),
                tally.maxDifference(), Double.NaN, Double.NaN, -1, Double.NaN, tally.cpu[0], tally.cpu[1]);
    }

    // ---- the soak ----

    /** A finished session waiting for its check. */
    private record Finished(Tensor x, byte[][] answers) {}

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
            if (!agree(rows(batch.get(j).answers(), false, tally), expected, j, b, tally)) tally.mismatched.increment();
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
        open().thenCompose(id -> stepThrough(id, stepBodies(x), null, tally)).whenComplete((answers, e) -> {
            if (e != null) {
                tally.error("soak session: " + e);
            } else {
                stepsDone.add(steps);
                sessionsDone.increment();
                try {
                    finished.put(new Finished(x, answers));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            CompletableFuture.runAsync(() -> soakClient(client, round + 1, end, tally, stepsDone, sessionsDone, finished, done));
        });
    }

    // ---- the report ----

    private void report(RecurrentConfig config, double stepMs, double stepperMs, double pausedMs, double jsonUs, Map<Integer, Double> batchedMs, List<Run> runs, Soak soaked,
                        int serverExit) throws IOException {
        String jdk = System.getProperty("java.vm.vendor") + " " + Runtime.version();
        System.out.printf(Locale.ROOT, "%n# recur bench serve — %s, %d cores, %s, %s%n%n", Machine.cpu(), Runtime.getRuntime().availableProcessors(),
                jdk, LocalDate.now());
        System.out.printf(Locale.ROOT, "Model: %d × %d %s, input %d; server --max-batch %d --batch-wait %s, heap %s; %d threads per process;"
                        + " clients and server share the cores.%n%n", layers, hidden, cell.toUpperCase(Locale.ROOT), input, maxBatch, batchWait,
                serverHeap == null ? "the JVM's default" : serverHeap, Parallel.threads());
        System.out.printf(Locale.ROOT, "In process, one step of one sequence: %.3f ms back to back, %.3f ms after a %.1f ms pause (Stepper, as the"
                + " server steps); %.3f ms through forward.%n", stepperMs, pausedMs, PAUSE_NANOS / 1e6, stepMs);
        System.out.printf(Locale.ROOT, "JSON, as the server reads a step's input and writes its output: %.1f µs a step.%n", jsonUs);
        System.out.print("One Stepper step of N sequences, measured before each run:");
        batchedMs.forEach((n, ms) -> System.out.printf(Locale.ROOT, " N=%d %.3f ms;", Math.min(n, maxBatch), ms));
        System.out.printf("%n%n");
        System.out.println("| clients | mode | requests | steps/s | p50 ms | p99 ms | errors | mismatched | mean batch | HTTP bound /s"
                + " | compute bound /s | server CPU µs/step | client CPU µs/step | peak RSS MB |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Run r : runs) {
            System.out.printf(Locale.ROOT, "| %d | %s | %,d | %,.0f | %.2f | %.2f | %d | %d | %.1f | %,.0f | %,.0f | %.0f | %.0f | %d |%n", r.clients(),
                    r.mode(), r.requests(), r.perSecond(), r.p50Ms(), r.p99Ms(), r.errors(), r.mismatched(), r.meanBatch(), r.httpBound(),
                    r.computeBound(), r.serverCpuUs(), r.clientCpuUs(), r.peakRssMb());
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
            out.put("server", Map.of("max_batch", maxBatch, "batch_wait", batchWait, "heap", serverHeap == null ? "default" : serverHeap));
            out.put("in_process_step_ms", stepMs);
            out.put("stepper_step_ms", stepperMs);
        out.put("stepper_step_after_pause_ms", pausedMs);
        out.put("json_us_per_step", jsonUs);
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
