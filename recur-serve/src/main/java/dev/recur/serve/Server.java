package dev.recur.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * The HTTP server of {@code recur serve}: JSON routes over the models given, sessions that carry a recurrent
 * state between requests, Prometheus metrics and a web page at {@code /} that uses the routes. Every failure is
 * answered as {@code {"error": "..."}}.
 * <pre>
 * var server = Server.start(Map.of("lm", new ServedModel("lm", Models.open(path))), new Server.Options("127.0.0.1", 0, ...));
 * int port = server.port();
 * server.stop(Duration.ofSeconds(30));
 * </pre>
 */
public final class Server {
    /** Numbers read and written by Jackson's own exact float parser and shortest-form writer: faster than the JDK 17 library's. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build());
    /** The web page at {@code /}: plain HTML and JavaScript over the routes below; it holds no data, so it needs no key. */
    private static final byte[] PAGE = page();

    /**
     * @param apiKey null: no authorization; else every route but {@code /} and {@code /v1/health} wants {@code Authorization: Bearer KEY}
     * @param maxBatch the most sequences a model runs as one batch
     * @param batchWait how long a batch waits, after its first piece of work, for more (zero: not at all)
     */
    public record Options(String host, int port, long maxBody, String apiKey, int maxSessions, Duration sessionIdle, int maxBatch, Duration batchWait) {
        /** Batches of up to 64 sequences, waiting 2 ms for them. */
        public Options(String host, int port, long maxBody, String apiKey, int maxSessions, Duration sessionIdle) {
            this(host, port, maxBody, apiKey, maxSessions, sessionIdle, 64, Duration.ofMillis(2));
        }
    }

    private final Map<String, ServedModel> models;
    private final Options options;
    private final Sessions sessions;
    private final Metrics metrics;
    private Javalin app;

    private Server(Map<String, ServedModel> models, Options options) {
        this.models = new LinkedHashMap<>(models);
        this.options = options;
        this.sessions = new Sessions(options.maxSessions(), options.sessionIdle());
        this.metrics = new Metrics(sessions::size);
    }

    /** Starts serving {@code models} (by name); returns once requests are accepted. */
    public static Server start(Map<String, ServedModel> models, Options options) {
        var server = new Server(models, options);
        // kernel workers spin only between the calls of one step, not in the gaps between requests
        dev.recur.kernel.Parallel.setSpin(Duration.ofNanos(20_000));
        server.models.values().forEach(m -> m.batch(options.maxBatch(), options.batchWait(), size -> server.metrics.batch(m.name, size)));
        server.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = options.maxBody();
            // JSON numbers compress about 2×, for a CPU cost that would outweigh the model's own on a batch's answers
            config.http.compressionStrategy = CompressionStrategy.NONE;
            // requests on virtual threads from JDK 24, where a virtual thread that blocks inside synchronized no longer
            // holds its carrier (JEP 491): hundreds of clients then cost no platform threads
            config.concurrency.useVirtualThreads = Runtime.version().feature() >= 24;
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.jetty.modifyServer(jetty -> {   // stopping waits for the requests in flight, up to the stop timeout
                var graceful = new GracefulHandler();
                graceful.setHandler(jetty.getHandler());
                jetty.setHandler(graceful);
            });
            server.routes(config.routes);
        }).start();
        return server;
    }

    private static byte[] page() {
        try (InputStream in = Server.class.getResourceAsStream("web/index.html")) {
            if (in == null) throw new IllegalStateException("dev/recur/serve/web/index.html is missing from the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return app.port();
    }

    /**
     * Stops accepting connections, lets the requests in flight finish (for at most {@code grace}), then stops.
     */
    public void stop(Duration grace) {
        app.jettyServer().server().setStopTimeout(grace.toMillis());
        app.stop();
        models.values().forEach(ServedModel::stop);
    }

    private void routes(io.javalin.config.RoutesConfig routes) {
        routes.get("/", handle("GET /", true,
                ctx -> ctx.status(200).contentType("text/html; charset=utf-8").header("Cache-Control", "no-cache").result(PAGE)));
        routes.get("/v1/health", handle("GET /v1/health", true, ctx -> json(ctx, 200, JSON.createObjectNode().put("status", "ok"))));
        routes.get("/v1/models", handle("GET /v1/models", false, ctx -> {
            ObjectNode body = JSON.createObjectNode();
            var list = body.putArray("models");
            models.values().forEach(m -> list.add(m.describe()));
            json(ctx, 200, body);
        }));
        routes.post("/v1/models/{name}/predict", answer("POST /v1/models/{name}/predict", ctx -> model(ctx).predict(body(ctx))));
        routes.post("/v1/models/{name}/generate", handle("POST /v1/models/{name}/generate", false, this::generate));
        routes.post("/v1/models/{name}/sessions", handle("POST /v1/models/{name}/sessions", false, ctx -> {
            ServedModel model = model(ctx);
            JsonNode body = body(ctx, true);
            String id = sessions.open(model, model.startState(body));
            json(ctx, 201, JSON.createObjectNode().put("session", id));
        }));
        routes.post("/v1/sessions/{id}/step", answer("POST /v1/sessions/{id}/step", ctx -> {
            Sessions.Session session = sessions.get(ctx.pathParam("id"));
            return session.model.step(session, body(ctx));
        }));
        routes.delete("/v1/sessions/{id}", handle("DELETE /v1/sessions/{id}", false, ctx -> {
            sessions.close(ctx.pathParam("id"));
            ctx.status(204);
        }));
        routes.get("/metrics", handle("GET /metrics", false,
                ctx -> ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.text())));
        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> fail(ctx, e));
    }

    /** {@code handler} behind authorization, its failures answered as JSON, timed under {@code route}. */
    private Handler handle(String route, boolean open, Handler handler) {
        return ctx -> {
            long start = System.nanoTime();
            try {
                if (!open) authorize(ctx);
                handler.handle(ctx);
            } catch (Exception e) {
                fail(ctx, e);
            } finally {
                metrics.record(route, ctx.statusCode(), (System.nanoTime() - start) / 1e9);
            }
        };
    }

    /** Work whose answer comes later: a request that queues it and returns, and its answer written when it is ready. */
    private interface Later {
        CompletableFuture<ObjectNode> start(Context ctx) throws Exception;
    }

    /**
     * As {@link #handle}, for a route whose answer a model's batch gives: no server thread waits for it, so the
     * requests in flight are not bounded by the server's threads (and a batch can hold more of them).
     */
    private Handler answer(String route, Later later) {
        return ctx -> {
            long start = System.nanoTime();
            CompletableFuture<ObjectNode> result;
            try {
                authorize(ctx);
                result = later.start(ctx);
            } catch (Exception e) {
                fail(ctx, e);
                metrics.record(route, ctx.statusCode(), (System.nanoTime() - start) / 1e9);
                return;
            }
            if (result.isDone()) {   // run on this thread: answer at once
                answer(ctx, route, start, result);
                return;
            }
            // written on a server thread, so that a batch's answers are written in parallel, not by the batch's thread
            ctx.future(() -> result.handleAsync((body, e) -> {
                answer(ctx, route, start, result);
                return null;
            }, app.jettyServer().server().getThreadPool()));
        };
    }

    private void answer(Context ctx, String route, long start, CompletableFuture<ObjectNode> done) {
        try {
            json(ctx, 200, done.join());
        } catch (RuntimeException e) {
            fail(ctx, failure(e));
        }
        metrics.record(route, ctx.statusCode(), (System.nanoTime() - start) / 1e9);
    }

    /** What a batch's failure was, as it was thrown. */
    private static Exception failure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof Exception x ? x : new RuntimeException(cause);
    }

    private void authorize(Context ctx) {
        if (options.apiKey() == null) return;
        String given = ctx.header("Authorization");
        byte[] expected = ("Bearer " + options.apiKey()).getBytes(StandardCharsets.UTF_8);
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, given == null ? "missing Authorization: Bearer KEY" : "wrong API key");
        }
    }

    private ServedModel model(Context ctx) {
        String name = ctx.pathParam("name");
        ServedModel m = models.get(name);
        if (m == null) throw ApiError.notFound("no model \"" + name + "\"; this server has " + String.join(", ", models.keySet()));
        return m;
    }

    /** The request's JSON object, at most {@code maxBody} bytes. */
    private JsonNode body(Context ctx) throws IOException {
        return body(ctx, false);
    }

    /** As {@link #body(Context)}; an empty body is {@code {}} when {@code optional}. */
    private JsonNode body(Context ctx, boolean optional) throws IOException {
        long limit = options.maxBody();
        if (ctx.req().getContentLengthLong() > limit) throw tooLarge();
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (bytes.length > limit) throw tooLarge();
        if (optional && new String(bytes, StandardCharsets.UTF_8).isBlank()) return JSON.createObjectNode();
        JsonNode json;
        try {
            json = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("request: not valid JSON: " + e.getOriginalMessage());
        }
        if (json == null || json.isMissingNode()) throw ApiError.badRequest("request: the body is empty; expected a JSON object");
        if (!json.isObject()) throw ApiError.badRequest("request: expected a JSON object, found " + dev.recur.cli.model.NestedArrays.describe(json));
        return json;
    }

    private ApiError tooLarge() {
        return new ApiError(413, "the request body is larger than " + options.maxBody() + " bytes (--max-body)");
    }

    /** A whole text as {@code {"text": ...}}, or with "stream": true server-sent events: one per token, then "done". */
    private void generate(Context ctx) throws IOException {
        ServedModel model = model(ctx);
        JsonNode body = body(ctx);
        ServedModel.Generation g = model.generation(body);
        if (!g.stream()) {
            var text = new StringBuilder();
            model.generate(g, text::append);
            json(ctx, 200, JSON.createObjectNode().put("text", text.toString()));
            return;
        }
        ctx.status(200).contentType("text/event-stream; charset=utf-8").header("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        var text = new StringBuilder();
        model.generate(g, token -> {
            text.append(token);
            event(out, "token", JSON.createObjectNode().put("token", token));
        });
        event(out, "done", JSON.createObjectNode().put("text", text.toString()));
    }

    private static void event(OutputStream out, String name, JsonNode data) {
        try {
            out.write(("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client went away", e);
        }
    }

    /** Answers a failure: a refused request with its status, bad input with 400, anything else with 500 and no details. */
    private static void fail(Context ctx, Exception e) {
        if (ctx.res().isCommitted()) {
            if (!(e instanceof UncheckedIOException)) System.err.println("recur serve: " + ctx.method() + " " + ctx.path() + " failed while streaming: " + e);
            return;
        }
        if (e instanceof ApiError a) {
            error(ctx, a.status, a.getMessage());
        } else if (e instanceof HttpResponseException h) {
            error(ctx, h.getStatus(), h.getMessage());
        } else if (e instanceof IllegalArgumentException) {   // InvalidInputException and shape checks
            error(ctx, 400, e.getMessage() == null ? "bad request" : e.getMessage());
        } else {
            System.err.println("recur serve: " + ctx.method() + " " + ctx.path() + " failed:");
            e.printStackTrace();
            error(ctx, 500, "internal error (" + e.getClass().getSimpleName() + "); see the server's log");
        }
    }

    private static void error(Context ctx, int status, String message) {
        json(ctx, status, JSON.createObjectNode().put("error", message));
    }

    private static void json(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
