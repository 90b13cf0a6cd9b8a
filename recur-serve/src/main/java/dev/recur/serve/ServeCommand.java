package dev.recur.serve;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.Durations;
import dev.recur.cli.ExitCodes;
import dev.recur.task.Models;
import dev.recur.tensor.InvalidOptionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve models over HTTP: JSON predictions, text generation and stateful sessions.",
        footer = {"%nRoutes (JSON in and out; errors are {\"error\": \"...\"}):",
                "  GET    /                        a web page to try the models, without the",
                "                                  API key (it holds no data)",
                "  GET    /v1/health               {\"status\": \"ok\"}, without the API key",
                "  GET    /v1/models               each model's name, task and configuration",
                "  POST   /v1/models/NAME/predict  what recur encode, classify predict, tag",
                "                                  predict, seq2seq translate, forecast predict",
                "                                  ({\"history\", \"horizon\"}) or anomaly detect",
                "                                  ({\"rows\"}) would answer",
                "  POST   /v1/models/NAME/generate a language model's text: {\"prompt\",",
                "                                  \"max_tokens\", \"temperature\", \"top_k\",",
                "                                  \"top_p\", \"seed\", \"stream\"} (stream: one",
                "                                  server-sent event per token)",
                "  POST   /v1/models/NAME/sessions opens a session on a unidirectional stack,",
                "                                  a language model or a forecaster;",
                "                                  {\"h0\", \"c0\"} or {\"history\"} optional",
                "  POST   /v1/sessions/ID/step     a stack's {\"input\": [T][F]}, a language",
                "                                  model's {\"text\": \"...\"} or a forecaster's",
                "                                  {\"values\": [...]}, from the state the",
                "                                  session's earlier steps left",
                "  DELETE /v1/sessions/ID          closes a session",
                "  GET    /metrics                 requests, errors, latency, open sessions and",
                "                                  batch sizes for Prometheus",
                "%nSession steps and a stack's predict requests that arrive together run as one",
                "batch (--max-batch, --batch-wait); a session's steps run one at a time, in order.",
                "%nIt prints `listening on http://HOST:PORT` once it accepts requests. SIGTERM",
                "(Ctrl-C) lets the requests in flight finish, then exits.",
                "%nExamples:",
                "  recur serve --model sotu=sotu-lstm.safetensors",
                "  curl localhost:8080/v1/models/sotu/generate -d '{\"prompt\": \"My fellow\"}'",
                "  recur serve --model g2p=g2p.safetensors --port 9000 --api-key-file key.txt"})
public final class ServeCommand implements Callable<Integer> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Option(names = "--model", paramLabel = "NAME=MODEL", required = true,
            description = "A model to serve under NAME: any Recur model file or training checkpoint; repeat for more.")
    Map<String, Path> models = new LinkedHashMap<>();

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "1MiB", converter = Sizes.class,
            description = "Largest request body, e.g. 64KiB or 4MiB; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "Require `Authorization: Bearer KEY`, KEY the file's first line (but for / and /v1/health).")
    Path apiKeyFile;

    @Option(names = "--max-sessions", paramLabel = "N", defaultValue = "10000", description = "Open sessions at most; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--session-idle", paramLabel = "TIME", defaultValue = "5m", converter = Durations.class,
            description = "A session unused this long is closed (default: ${DEFAULT-VALUE}).")
    Duration sessionIdle;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "Most sequences (session steps, predict requests' sequences) a model runs as one batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--batch-wait", paramLabel = "TIME", defaultValue = "2ms", converter = Waits.class,
            description = "How long a batch waits for more work after its first while work comes in company (a lone stream never waits),"
                    + " e.g. 500us, 2ms or 0 for not at all (default: ${DEFAULT-VALUE}).")
    Duration batchWait;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new InvalidOptionException("--port must be from 0 to 65535, got " + port);
        if (maxSessions < 1) throw new InvalidOptionException("--max-sessions must be at least 1, got " + maxSessions);
        if (maxBatch < 1) throw new InvalidOptionException("--max-batch must be at least 1, got " + maxBatch);
        String key = apiKey();
        var served = new LinkedHashMap<String, ServedModel>();
        for (var e : models.entrySet()) {
            if (!NAME.matcher(e.getKey()).matches()) {
                throw new InvalidOptionException("--model " + e.getKey() + "=...: a name is letters, digits, '.', '_' and '-'");
            }
            try {
                served.put(e.getKey(), new ServedModel(e.getKey(), Models.open(e.getValue())));
            } catch (NoSuchFileException x) {
                throw new NoSuchFileException(e.getValue() + ": no such file");
            }
        }
        Server server = Server.start(served, new Server.Options(host, port, maxBody, key, maxSessions, sessionIdle, maxBatch, batchWait));
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(Duration.ofSeconds(30));
            stopped.countDown();
            Runtime.getRuntime().halt(ExitCodes.OK);   // a signal's default exit status would be 128 + its number
        }, "recur-serve-shutdown"));
        System.out.println("listening on http://" + host + ":" + server.port());
        System.out.flush();
        stopped.await();
        return ExitCodes.OK;
    }

    private String apiKey() throws IOException {
        if (apiKeyFile == null) return null;
        String key;
        try {
            key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(apiKeyFile + ": no such file");
        }
        if (key.isEmpty()) throw new InvalidOptionException("--api-key-file " + apiKeyFile + ": the file is empty; its first line is the key");
        return key;
    }

    /** Short waits such as {@code 2ms}, {@code 500us}, {@code 0.01s}, or {@code 0}. */
    static final class Waits implements ITypeConverter<Duration> {
        private static final Pattern WAIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s)");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.matches("0+(\\.0*)?")) return Duration.ZERO;
            Matcher m = WAIT.matcher(v);
            if (!m.matches()) throw new InvalidOptionException("\"" + value + "\" is not a wait; use e.g. 2ms, 500us, 0.01s or 0");
            double scale = switch (m.group(2)) {
                case "us" -> 1e3;
                case "ms" -> 1e6;
                default -> 1e9;
            };
            return Duration.ofNanos((long) (Double.parseDouble(m.group(1)) * scale));
        }
    }

    /** Sizes such as {@code 1MiB}, {@code 512KiB}, {@code 2MB} or a plain number of bytes. */
    static final class Sizes implements ITypeConverter<Long> {
        private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?");

        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) throw new InvalidOptionException("\"" + value + "\" is not a size; use e.g. 65536, 64KiB or 1MiB");
            String unit = m.group(2) == null ? "b" : m.group(2);
            long scale = switch (unit) {
                case "b" -> 1;
                case "kb" -> 1000;
                case "k", "kib" -> 1024;
                case "mb" -> 1_000_000;
                case "m", "mib" -> 1024 * 1024;
                case "gb" -> 1_000_000_000;
                default -> 1024L * 1024 * 1024;
            };
            long bytes = (long) (Double.parseDouble(m.group(1)) * scale);
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) throw new InvalidOptionException("\"" + value + "\": the size must be from 1 byte to 2GiB");
            return bytes;
        }
    }
}
