package dev.recur.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.anomaly.AnomalyCommand;
import dev.recur.cli.forecast.ForecastPredictCommand;
import dev.recur.cli.model.EncodeInput;
import dev.recur.cli.model.NestedArrays;
import dev.recur.cli.model.NestedArrays.Axis;
import dev.recur.nn.CellType;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.nn.Stepper;
import dev.recur.task.Models;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.classify.Classifier;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.TimeAxis;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.Sampler;
import dev.recur.task.seq2seq.Search;
import dev.recur.task.seq2seq.Seq2Seq;
import dev.recur.task.seq2seq.Seq2SeqTraining;
import dev.recur.task.tag.TagTraining;
import dev.recur.task.tag.Tagger;
import dev.recur.task.text.TextEncoder;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.LongStream;

/**
 * One model the server answers for, under its name. Recur's modules keep scratch buffers, so one computation at a
 * time runs a given model: {@link #lock} is held for the whole of it (a generation included). A stack's predict
 * requests and the session steps of a stack or a language model go through the model's {@link Batcher}, which
 * runs those that arrive together as one batch.
 */
final class ServedModel {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String SOURCE = "request";

    final String name;
    final Models.Opened opened;
    private final ReentrantLock lock = new ReentrantLock();
    private Batcher<Piece> batcher;
    private Stepper stepper;   // a stack's one-step batches, made at the first; used by the batch thread alone

    ServedModel(String name, Models.Opened opened) {
        this.name = name;
        this.opened = opened;
    }

    /** Starts the model's batcher (for a recurrent stack or a language model); {@code sizes} hears each batch's size. */
    void batch(int maxBatch, Duration wait, IntConsumer sizes) {
        if (opened.model() instanceof Recurrent || opened.model() instanceof LanguageModel) {
            batcher = new Batcher<>(name, maxBatch, wait, Piece::columns, this::run, sizes);
        }
    }

    void stop() {
        if (batcher != null) batcher.stop();
    }

    String task() {
        return opened.kind().type();
    }

    ObjectNode describe() {
        ObjectNode d = NODES.objectNode().put("name", name).put("task", task());
        d.set("config", opened.config());
        return d;
    }

    // ---- predict ----

    /**
     * The answer to a predict request: a stack's once its batch has run (no thread waits for it), any other
     * model's at once. Bad input is thrown here, before anything is queued.
     */
    CompletableFuture<ObjectNode> predict(JsonNode body) {
        if (opened.model() instanceof Recurrent rnn) {
            EncodeInput in = EncodeInput.parse(SOURCE, body, rnn.config());
            int batch = in.input().dim(rnn.config().batchFirst() ? 0 : 1), steps = in.input().dim(rnn.config().batchFirst() ? 1 : 0);
            int[] lengths = in.lengths() != null ? in.lengths().toArray() : Lengths.full(steps, batch).toArray();
            return batcher.submit(new Piece(in.input(), null, lengths, in.initial(), null));
        }
        return CompletableFuture.completedFuture(predictNow(body));
    }

    private ObjectNode predictNow(JsonNode body) {
        lock.lock();
        try (var off = Tape.noGrad()) {
            Object model = opened.model();
            if (model instanceof Classifier classifier) return classify(classifier, body);
            if (model instanceof Tagger tagger) return tag(tagger, body);
            if (model instanceof Seq2Seq s2s) return translate(s2s, body);
            if (model instanceof Forecaster f) return forecast(f, body);
            if (model instanceof AnomalyDetector d) return detect(d, body);
            if (model instanceof LanguageModel) {
                throw ApiError.badRequest("\"" + name + "\" is a language model: use POST /v1/models/" + name
                        + "/generate to sample text, or open a session (POST /v1/models/" + name + "/sessions) to score it");
            }
            throw new ApiError(501, "\"" + name + "\" is " + opened.kind().noun() + "; the server does not predict with it yet; use "
                    + opened.kind().command());
        } finally {
            lock.unlock();
        }
    }

    /** As {@code recur classify predict}: per text its label and every label's probability. */
    private static ObjectNode classify(Classifier classifier, JsonNode body) {
        fields(body, "texts");
        List<String> texts = strings(body, "texts");
        var predictions = TextEncoder.byLength(texts.stream().map(classifier::tokens).toList(), 64, classifier::predictTokens);
        ArrayNode results = NODES.arrayNode();
        for (Classifier.Prediction p : predictions) {
            ObjectNode line = results.addObject().put("label", p.label());
            ObjectNode probabilities = line.putObject("probabilities");
            for (int k = 0; k < p.probabilities().length; k++) probabilities.put(classifier.labels().get(k), Math.round(p.probabilities()[k] * 1e4) / 1e4);
        }
        ObjectNode result = NODES.objectNode();
        result.set("predictions", results);
        return result;
    }

    /** As {@code recur tag predict}: per sentence its tokens and their tags. */
    private static ObjectNode tag(Tagger tagger, JsonNode body) {
        fields(body, "sentences");
        JsonNode s = array(body, "sentences");
        List<List<String>> sentences = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            JsonNode sentence = s.get(i);
            List<String> tokens = new ArrayList<>();
            if (sentence.isTextual()) {
                if (!sentence.asText().isBlank()) tokens.addAll(Arrays.asList(sentence.asText().strip().split("\\s+")));
            } else if (sentence.isArray()) {
                for (int t = 0; t < sentence.size(); t++) {
                    if (!sentence.get(t).isTextual()) throw bad("\"sentences\"[" + i + "][" + t + "] is " + NestedArrays.describe(sentence.get(t)) + "; expected a token (a string)");
                    tokens.add(sentence.get(t).asText());
                }
            } else {
                throw bad("\"sentences\"[" + i + "] is " + NestedArrays.describe(sentence) + "; expected a string or an array of tokens");
            }
            if (tokens.isEmpty()) throw bad("\"sentences\"[" + i + "] has no tokens");
            sentences.add(tokens);
        }
        var tags = TagTraining.predict(tagger, sentences);
        ArrayNode results = NODES.arrayNode();
        for (int i = 0; i < sentences.size(); i++) {
            ObjectNode r = results.addObject();
            sentences.get(i).forEach(r.putArray("tokens")::add);
            tags.get(i).forEach(r.putArray("tags")::add);
        }
        ObjectNode result = NODES.objectNode();
        result.set("results", results);
        return result;
    }

    /**
     * As {@code recur seq2seq translate}: per source its n best outputs and their scores; with {@code "attention":
     * true}, also the best output's attention weights [output symbols][source symbols], as {@code --attention-png} draws them.
     */
    private static ObjectNode translate(Seq2Seq s2s, JsonNode body) {
        fields(body, "sources", "beam", "n_best", "attention");
        List<String> sources = strings(body, "sources").stream().map(String::strip).toList();
        int beam = integer(body, "beam", 5, 1, 100);
        int nBest = integer(body, "n_best", 1, 1, beam);
        JsonNode a = present(body, "attention");
        if (a != null && !a.isBoolean()) throw bad("\"attention\" is " + NestedArrays.describe(a) + "; expected true or false");
        boolean withAttention = a != null && a.asBoolean();
        var options = new Search.Options(beam, nBest, beam == 1 ? 0f : 0.6f, 2f, 10);
        List<Search.Result> results = Seq2SeqTraining.translate(s2s, sources, options);
        ArrayNode outputs = NODES.arrayNode();
        for (int i = 0; i < results.size(); i++) {
            Search.Result r = results.get(i);
            ObjectNode output = outputs.addObject().put("output", s2s.targetText(r.best().tokens()));
            ArrayNode hypotheses = output.putArray("n_best");
            for (Search.Hypothesis h : r.hypotheses()) hypotheses.addObject().put("output", s2s.targetText(h.tokens())).put("score", h.score());
            if (withAttention) output.set("attention", attention(s2s, sources.get(i), r.best()));
        }
        ObjectNode result = NODES.objectNode();
        result.set("outputs", outputs);
        return result;
    }

    /** {"source": its symbols, "output": the output's symbols ({@code </s>} last when it ended), "weights": [output][source]}. */
    private static ObjectNode attention(Seq2Seq s2s, String source, Search.Hypothesis best) {
        ObjectNode a = NODES.objectNode();
        s2s.sourceSymbols(source).forEach(a.putArray("source")::add);
        ArrayNode output = a.putArray("output");
        for (int id : best.tokens()) output.add(s2s.targetSymbol(id));
        if (best.finished()) output.add(Seq2Seq.END);
        ArrayNode weights = a.putArray("weights");
        for (float[] step : best.attention()) {
            ArrayNode row = weights.addArray();
            for (float w : step) row.add(Math.round(w * 1e4) / 1e4);
        }
        return a;
    }

    /**
     * As {@code recur forecast predict} on a file of one series: the history as rows (one number per target, or a
     * plain number for one target), optional times and, for a model with covariates, their values over the history
     * and the horizon.
     */
    private static ObjectNode forecast(Forecaster f, JsonNode body) {
        fields(body, "history", "horizon", "time", "covariates");
        ForecasterConfig c = f.config();
        int h = integer(body, "horizon", c.horizon(), 1, 100_000);
        float[][] rows = rows(array(body, "history"), "history", c.spec().targets());
        if (rows.length < c.history()) throw bad("\"history\" has " + rows.length + " points; the model reads " + c.history() + " before forecasting");
        int n = c.targets(), length = rows.length;
        float[][] values = new float[n][length];
        for (int t = 0; t < length; t++) for (int k = 0; k < n; k++) values[k][t] = rows[t][k];
        float[][] covariates = covariates(body, c, length + h);
        int points = covariates.length > 0 ? covariates[0].length : length;
        TimeAxis time = time(body, c, length, points);
        var series = new Series("", values, covariates, time, LongStream.range(0, points).toArray());
        ForecastPredictCommand.Prediction p = ForecastPredictCommand.forecast(f, series, h);
        float[] levels = c.quantiles();
        ObjectNode result = NODES.objectNode();
        ArrayNode forecast = result.putArray("forecast");
        for (int step = 0; step < h; step++) {
            for (int k = 0; k < n; k++) {
                ObjectNode point = forecast.addObject().put("step", step + 1);
                if (time != null) point.put("time", time.label(length + step));
                point.put("target", c.spec().targets().get(k)).put("mean", p.mean()[step][k]);
                for (int l = 0; l < levels.length; l++) point.put("q" + ForecastPredictCommand.trim(levels[l]), p.quantiles()[l][step][k]);
            }
        }
        return result;
    }

    /** The covariates [C][points] of a model that reads them: each over the history and at least the {@code needed} points after its start. */
    private static float[][] covariates(JsonNode body, ForecasterConfig c, int needed) {
        List<String> names = c.spec().covariates();
        JsonNode given = present(body, "covariates");
        if (names.isEmpty()) {
            if (given != null) throw bad("the model reads no covariates; leave out \"covariates\"");
            return new float[0][];
        }
        String want = "the model reads covariates " + String.join(", ", names) + ": give \"covariates\": {\"" + names.get(0)
                + "\": [values over the history and the points forecast], ...}, " + needed + " values each";
        if (given == null || !given.isObject()) throw bad(given == null ? want : "\"covariates\" is " + NestedArrays.describe(given) + "; " + want);
        for (Iterator<String> it = given.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) throw bad("\"covariates\" has \"" + name + "\", which the model does not read; " + want);
        }
        float[][] values = new float[names.size()][];
        for (int k = 0; k < values.length; k++) {
            String field = "covariates." + names.get(k);
            JsonNode a = given.get(names.get(k));
            if (a == null || !a.isArray()) throw bad("\"" + field + "\" is " + (a == null ? "missing" : NestedArrays.describe(a)) + "; " + want);
            float[][] column = rows(a, field, List.of(names.get(k)));
            if (column.length < needed || (k > 0 && column.length != values[0].length)) {
                throw bad("\"" + field + "\" has " + column.length + " values; " + want + ", all as many");
            }
            values[k] = new float[column.length];
            for (int t = 0; t < column.length; t++) values[k][t] = column[t][0];
        }
        return values;
    }

    /** The time axis of the {@code length} points of history (or all {@code points} with the covariates' future), or null when not given. */
    private static TimeAxis time(JsonNode body, ForecasterConfig c, int length, int points) {
        JsonNode given = present(body, "time");
        if (given == null) {
            if (c.spec().calendar()) throw bad("the model reads calendar features: give \"time\", the time of every point of the history");
            return null;
        }
        if (!given.isArray()) throw bad("\"time\" is " + NestedArrays.describe(given) + "; expected an array of times");
        if (given.size() != length && given.size() != points) {
            throw bad("\"time\" has " + given.size() + " times; expected one per point of the history (" + length + ")");
        }
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            JsonNode t = given.get(i);
            if (!t.isTextual() && !t.isNumber()) throw bad("\"time\"[" + i + "] is " + NestedArrays.describe(t) + "; expected a date, a time or a number");
            cells.add(t.asText());
        }
        TimeAxis time = TimeAxis.parse(cells, (i, message) -> bad("\"time\"[" + i + "]: " + message));
        if (c.spec().calendar() && time.calendarProblem() != null) throw bad("\"time\": no calendar features: " + time.calendarProblem());
        return time;
    }

    /** As {@code recur anomaly detect} on a file of one series: each row's score (null for the first, which only give context) and flag. */
    private static ObjectNode detect(AnomalyDetector d, JsonNode body) {
        fields(body, "rows", "values", "group");
        List<String> columns = d.config().spec().targets();
        if ((present(body, "rows") == null) == (present(body, "values") == null)) {
            throw bad("give \"rows\" ([T][" + columns.size() + "] numbers: " + String.join(", ", columns) + ")" + (columns.size() == 1 ? " or \"values\"" : ""));
        }
        String field = present(body, "rows") != null ? "rows" : "values";
        if (field.equals("values") && columns.size() > 1) throw bad("\"values\" is for a model of one column; this one reads " + String.join(", ", columns) + ": give \"rows\"");
        float[][] rows = rows(array(body, field), field, columns);
        JsonNode group = present(body, "group");
        if (group != null && !group.isTextual()) throw bad("\"group\" is " + NestedArrays.describe(group) + "; expected a string");
        int n = columns.size();
        float[][] values = new float[n][rows.length];
        for (int t = 0; t < rows.length; t++) for (int k = 0; k < n; k++) values[k][t] = rows[t][k];
        var series = new Series(group == null ? "" : group.asText(), values, new float[0][], null, LongStream.range(0, rows.length).toArray());
        AnomalyCommand.Judged judged = AnomalyCommand.judge(d, List.of(series), 0, d.config().rule(), null);
        float[] score = judged.scores().get(0);
        ObjectNode result = NODES.objectNode();
        ArrayNode out = result.putArray("rows");
        for (int t = 0; t < rows.length; t++) {
            ObjectNode row = out.addObject();
            if (Float.isNaN(score[t])) row.putNull("score");
            else row.put("score", score[t]);
            row.put("anomaly", judged.flags().get(0)[t]);
        }
        double threshold = judged.thresholds().get(0);
        if (Double.isFinite(threshold)) result.put("threshold", threshold);
        else result.putNull("threshold");
        return result;
    }

    // ---- generate ----

    /** Generation's settings, read and checked before anything is sent. */
    record Generation(String prompt, int maxTokens, Sampler sampler, long seed, boolean stream) {}

    Generation generation(JsonNode body) {
        if (!(opened.model() instanceof LanguageModel)) {
            throw ApiError.badRequest("\"" + name + "\" is " + opened.kind().noun() + "; only a language model generates; use POST /v1/models/" + name + "/predict");
        }
        fields(body, "prompt", "max_tokens", "temperature", "top_k", "top_p", "seed", "stream");
        JsonNode prompt = body.get("prompt");
        if (prompt != null && !prompt.isNull() && !prompt.isTextual()) throw bad("\"prompt\" is " + NestedArrays.describe(prompt) + "; expected a string");
        var sampler = new Sampler(number(body, "temperature", 1f), integer(body, "top_k", 0, 0, Integer.MAX_VALUE), number(body, "top_p", 1f));
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull() && !seed.canConvertToExactIntegral()) throw bad("\"seed\" is " + NestedArrays.describe(seed) + "; expected an integer");
        JsonNode stream = present(body, "stream");
        if (stream != null && !stream.isBoolean()) throw bad("\"stream\" is " + NestedArrays.describe(stream) + "; expected true or false");
        return new Generation(prompt == null || prompt.isNull() ? "" : prompt.asText(), integer(body, "max_tokens", 100, 0, 100_000), sampler,
                seed == null || seed.isNull() ? new SecureRandom().nextLong() : seed.asLong(), stream != null && stream.asBoolean());
    }

    /** As {@code recur lm generate}: hands {@code sink} the text of each token as it is drawn. */
    void generate(Generation g, Consumer<String> sink) {
        LanguageModel lm = (LanguageModel) opened.model();
        var tokenizer = lm.config().tokens();
        var spacer = tokenizer.spacer(g.prompt());
        lock.lock();
        try {
            g.sampler().generate(lm, tokenizer.encode(g.prompt(), lm.vocabulary()), g.maxTokens(), new Rng(g.seed()), t -> sink.accept(spacer.apply(t)));
        } finally {
            lock.unlock();
        }
    }

    // ---- sessions ----

    /** A language model's session state: the recurrent state and the logits for the token to come (null before the first). */
    private record TextState(RecurrentState state, Tensor logits) {}

    /** The state a new session starts from: h0 and c0 given as [L][H], or zeros. */
    Object startState(JsonNode body) {
        RecurrentConfig config;
        if (opened.model() instanceof Recurrent rnn && !rnn.config().bidirectional()) {
            config = rnn.config();
        } else if (opened.model() instanceof Forecaster f) {
            return forecastSession(f, body);
        } else if (opened.model() instanceof LanguageModel lm) {
            config = RecurrentConfig.of(lm.config().cell(), lm.config().embed(), lm.config().hidden()).withLayers(lm.config().layers());
        } else {
            throw ApiError.badRequest("\"" + name + "\" is " + (opened.model() instanceof Recurrent ? "a bidirectional stack, which reads whole sequences"
                    : opened.kind().noun()) + "; sessions are for unidirectional recurrent stacks, language models and forecasters");
        }
        fields(body, "h0", "c0");
        RecurrentState state = initial(body, config);
        return opened.model() instanceof LanguageModel ? new TextState(state, null) : state;
    }

    private static RecurrentState initial(JsonNode body, RecurrentConfig config) {
        JsonNode h0 = present(body, "h0"), c0 = present(body, "c0");
        boolean lstm = config.cell() == CellType.LSTM;
        if (!lstm && c0 != null) throw bad("\"c0\" is given, but a " + config.cell().name().toLowerCase() + " has no cell state");
        if (lstm && (h0 == null) != (c0 == null)) throw bad("an lstm needs both \"h0\" and \"c0\", or neither for zeros");
        if (h0 == null) return null;
        int layers = config.numLayers();
        var slots = new Axis("layers", layers, "expected num_layers=" + layers);
        Tensor h = NestedArrays.read(SOURCE, "h0", h0, List.of(slots, new Axis("features", config.outputSize(), "expected " + config.outputSize())));
        if (!lstm) return RecurrentState.of(h.reshape(layers, 1, config.outputSize()));
        Tensor c = NestedArrays.read(SOURCE, "c0", c0, List.of(slots, new Axis("features", config.hiddenSize(), "expected hidden_size=" + config.hiddenSize())));
        return RecurrentState.of(h.reshape(layers, 1, config.outputSize()), c.reshape(layers, 1, config.hiddenSize()));
    }

    /**
     * Runs the session's next piece from the state its earlier steps left: queued behind them, so one step of a
     * session runs at a time, in the order they came.
     */
    CompletableFuture<ObjectNode> step(Sessions.Session session, JsonNode body) {
        if (opened.model() instanceof Forecaster f) return CompletableFuture.completedFuture(forecastStep(f, session, body));
        Piece piece = opened.model() instanceof LanguageModel lm ? textPiece(lm, session, body) : stackPiece((Recurrent) opened.model(), session, body);
        CompletableFuture<ObjectNode> result;
        synchronized (session) {
            result = session.last.handle((r, e) -> null).thenCompose(previous -> batcher.submit(piece));
            session.last = result;
        }
        return result;
    }

    private static Piece stackPiece(Recurrent rnn, Sessions.Session session, JsonNode body) {
        fields(body, "input");
        JsonNode x = present(body, "input");
        if (x == null) throw bad("\"input\" is missing; expected [T][F] numbers");
        RecurrentConfig config = rnn.config();
        Tensor input = NestedArrays.read(SOURCE, "input", x, List.of(Axis.any("time steps"),
                new Axis("features", config.inputSize(), "the model expects input_size=" + config.inputSize())));
        int steps = input.dim(0);
        Tensor batched = config.batchFirst() ? input.reshape(1, steps, config.inputSize()) : input.reshape(steps, 1, config.inputSize());
        return new Piece(batched, null, new int[] {steps}, null, session);
    }

    private static Piece textPiece(LanguageModel lm, Sessions.Session session, JsonNode body) {
        fields(body, "text");
        JsonNode text = present(body, "text");
        if (text == null || !text.isTextual()) throw bad("\"text\" is " + (text == null ? "missing" : NestedArrays.describe(text)) + "; expected a string");
        int[] ids = lm.config().tokens().encode(text.asText(), lm.vocabulary());
        if (ids.length == 0) throw bad("\"text\" holds no tokens");
        return new Piece(null, ids, new int[] {ids.length}, null, session);
    }

    /** Points a forecaster's session keeps, at least; its forecast reads only the last {@code context + season}. */
    private static final int KEPT = 1000;

    /** A forecaster's session state: its series so far as a predict request, {"history": [...]} and, when the session has times, {"time": [...]}. */
    private static ObjectNode forecastSession(Forecaster f, JsonNode body) {
        ForecasterConfig c = f.config();
        if (!c.spec().covariates().isEmpty()) throw bad("the model reads covariates " + String.join(", ", c.spec().covariates()) + "; sessions are for forecasters without them");
        fields(body, "history", "time");
        ObjectNode state = NODES.objectNode();
        JsonNode history = present(body, "history"), time = present(body, "time");
        if (history != null && !history.isArray()) throw bad("\"history\" is " + NestedArrays.describe(history) + "; expected an array");
        if (time != null && !time.isArray()) throw bad("\"time\" is " + NestedArrays.describe(time) + "; expected an array");
        if (c.spec().calendar() && time == null) throw bad("the model reads calendar features: give \"time\" (the times of \"history\", or [] for none yet)");
        ArrayNode h = state.putArray("history");
        if (history != null) {
            rows(history, "history", c.spec().targets());
            h.addAll((ArrayNode) history);
        }
        if (time != null) {
            if (time.size() != h.size()) throw bad("\"time\" has " + time.size() + " times; expected one per point of \"history\" (" + h.size() + ")");
            state.putArray("time").addAll((ArrayNode) time);
            if (!h.isEmpty()) time(state, c, h.size(), h.size());
        }
        return state;
    }

    /**
     * Appends a step's values (and times) to the session's series and answers the forecast from its new end, as
     * predict would for the whole series; {@code "forecast": null} while the series is shorter than the model reads.
     */
    private ObjectNode forecastStep(Forecaster f, Sessions.Session session, JsonNode body) {
        ForecasterConfig c = f.config();
        fields(body, "values", "time", "horizon");
        synchronized (session) {
            ObjectNode state = (ObjectNode) session.state;
            JsonNode values = array(body, "values"), time = present(body, "time");
            rows(values, "values", c.spec().targets());
            if (state.has("time") != (time != null)) {
                throw bad(state.has("time") ? "the session has times: give \"time\", one per value" : "the session was opened without \"time\"; leave it out");
            }
            if (time != null && (!time.isArray() || time.size() != values.size())) {
                throw bad("\"time\" is " + NestedArrays.describe(time) + "; expected one time per value (" + values.size() + ")");
            }
            ObjectNode next = state.deepCopy();
            ((ArrayNode) next.get("history")).addAll((ArrayNode) values);
            if (time != null) ((ArrayNode) next.get("time")).addAll((ArrayNode) time);
            int length = next.get("history").size();
            if (time != null) time(next, c, length, length);   // refuses times out of order before they are kept
            for (int drop = length - Math.max(KEPT, c.history()); drop > 0; drop--) {
                ((ArrayNode) next.get("history")).remove(0);
                if (time != null) ((ArrayNode) next.get("time")).remove(0);
            }
            session.state = next;
            int points = next.get("history").size();
            if (points < c.history()) return NODES.objectNode().put("points", points).putNull("forecast");
            ObjectNode request = next.deepCopy();
            if (present(body, "horizon") != null) request.set("horizon", body.get("horizon"));
            lock.lock();
            try (var off = Tape.noGrad()) {
                ObjectNode result = forecast(f, request);
                return NODES.objectNode().put("points", points).setAll(result);
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- batches ----

    /**
     * A part of a batch: a stack's sequences ({@code input} in the model's layout) or a language model's token
     * {@code ids}, one length per sequence; a predict request's {@code initial} state, or the {@code session}
     * whose state it starts from and carries on.
     */
    private record Piece(Tensor input, int[] ids, int[] lengths, RecurrentState initial, Sessions.Session session) {
        int columns() {
            return lengths.length;
        }
    }

    /** Runs {@code pieces} as one batch, each from its own state: the answers, in order. */
    private List<ObjectNode> run(List<Piece> pieces) {
        lock.lock();
        try (var off = Tape.noGrad()) {
            return opened.model() instanceof LanguageModel lm ? runText(lm, pieces) : runStack((Recurrent) opened.model(), pieces);
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@code recur encode} for predict requests; a session's output [T][P], its state carried on. A batch of
     * one step per sequence (a stream's usual piece) on a unidirectional stack runs as one {@link Stepper} step,
     * which reads the weights laid out for it once; any other through {@link Recurrent#forward}.
     */
    private List<ObjectNode> runStack(Recurrent rnn, List<Piece> pieces) {
        RecurrentConfig config = rnn.config();
        boolean batchFirst = config.batchFirst(), lstm = config.cell() == CellType.LSTM;
        int time = batchFirst ? 1 : 0, slots = config.numLayers() * config.directions();
        int batch = pieces.stream().mapToInt(Piece::columns).sum();
        int steps = pieces.stream().mapToInt(p -> p.input().dim(time)).max().orElseThrow();
        Tensor x = batchFirst ? Tensor.zeros(batch, steps, config.inputSize()) : Tensor.zeros(steps, batch, config.inputSize());
        Tensor h0 = Tensor.zeros(slots, batch, config.outputSize()), c0 = lstm ? Tensor.zeros(slots, batch, config.hiddenSize()) : null;
        int[] lengths = new int[batch];
        int col = 0;
        for (Piece p : pieces) {
            RecurrentState start = p.session() != null ? (RecurrentState) p.session().state : p.initial();
            for (int b = 0; b < p.columns(); b++, col++) {
                copy(p.input(), b, x, col, batchFirst);
                lengths[col] = p.lengths()[b];
                if (start == null) continue;
                copy(start.h().value(), b, h0, col, false);
                if (lstm) copy(start.c().value(), b, c0, col, false);
            }
        }
        RecurrentState initial = lstm ? RecurrentState.of(h0, c0) : RecurrentState.of(h0);
        RecurrentOutput out;
        if (steps == 1 && !config.bidirectional() && Arrays.stream(lengths).allMatch(l -> l == 1)) {
            if (stepper == null) stepper = rnn.stepper();
            RecurrentOutput one = stepper.step(x.reshape(batch, config.inputSize()), initial);
            Tensor y = one.output().value();
            out = new RecurrentOutput(Variable.of(batchFirst ? y.reshape(batch, 1, config.outputSize()) : y.reshape(1, batch, config.outputSize())), one.state());
        } else {
            out = rnn.forward(Variable.of(x), Lengths.of(lengths), initial);
        }
        List<ObjectNode> results = new ArrayList<>();
        col = 0;
        for (Piece p : pieces) {
            int n = p.columns(), own = p.input().dim(time);
            int features = out.output().value().dim(2);   // the output size times the directions
            Tensor output = batchFirst ? Tensor.zeros(n, own, features) : Tensor.zeros(own, n, features);
            Tensor h = Tensor.zeros(slots, n, config.outputSize()), c = lstm ? Tensor.zeros(slots, n, config.hiddenSize()) : null;
            for (int b = 0; b < n; b++, col++) {
                copy(out.output().value(), col, output, b, batchFirst);
                copy(out.h().value(), col, h, b, false);
                if (lstm) copy(out.c().value(), col, c, b, false);
            }
            ObjectNode result = NODES.objectNode();
            if (p.session() != null) {
                p.session().state = lstm ? RecurrentState.of(h, c) : RecurrentState.of(h);
                result.set("output", NestedArrays.write(output.reshape(own, config.outputSize())));
            } else {
                result.set("output", NestedArrays.write(output));
                result.set("h_n", NestedArrays.write(h));
                if (lstm) result.set("c_n", NestedArrays.write(c));
            }
            results.add(result);
        }
        return results;
    }

    /**
     * Copies sequence {@code i} of {@code from} into sequence {@code j} of {@code to}, both [T, B, N] ([B, T, N]
     * when {@code batchFirst}), over the steps both have.
     */
    private static void copy(Tensor from, int i, Tensor to, int j, boolean batchFirst) {
        int n = from.dim(2), time = batchFirst ? 1 : 0, steps = Math.min(from.dim(time), to.dim(time));
        for (int t = 0; t < steps; t++) {
            System.arraycopy(from.data(), from.offset() + row(from, t, i, batchFirst) * n, to.data(), to.offset() + row(to, t, j, batchFirst) * n, n);
        }
    }

    private static int row(Tensor x, int t, int b, boolean batchFirst) {
        return batchFirst ? b * x.dim(1) + t : t * x.dim(1) + b;
    }

    /** Language model sessions: each text's nll given everything before it in its session, and the likeliest next tokens. */
    private static List<ObjectNode> runText(LanguageModel lm, List<Piece> pieces) {
        boolean lstm = lm.config().cell() == CellType.LSTM;
        int batch = pieces.size(), layers = lm.config().layers(), hidden = lm.config().hidden(), v = lm.vocabulary().size();
        int steps = pieces.stream().mapToInt(p -> p.ids().length).max().orElseThrow();
        int[] ids = new int[steps * batch], lengths = new int[batch];
        Tensor h0 = Tensor.zeros(layers, batch, hidden), c0 = lstm ? Tensor.zeros(layers, batch, hidden) : null;
        for (int b = 0; b < batch; b++) {
            int[] own = pieces.get(b).ids();
            for (int t = 0; t < own.length; t++) ids[t * batch + b] = own[t];
            lengths[b] = own.length;
            RecurrentState start = ((TextState) pieces.get(b).session().state).state();
            if (start == null) continue;
            copy(start.h().value(), 0, h0, b, false);
            if (lstm) copy(start.c().value(), 0, c0, b, false);
        }
        LanguageModel.Output out = lm.forward(ids, Lengths.of(lengths), lstm ? RecurrentState.of(h0, c0) : RecurrentState.of(h0));
        Tensor all = out.logits().value();   // [T, B, V]
        List<ObjectNode> results = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            Sessions.Session session = pieces.get(b).session();
            int[] own = pieces.get(b).ids();
            Tensor logits = ((TextState) session.state).logits();
            ArrayNode nll = NODES.arrayNode();
            for (int t = 0; t < own.length; t++) {
                if (logits == null) nll.addNull();
                else nll.add(logSumExp(logits) - logits.at(own[t]));
                int at = all.offset() + (t * batch + b) * v;
                logits = Tensor.of(Arrays.copyOfRange(all.data(), at, at + v), v);
            }
            Tensor h = Tensor.zeros(layers, 1, hidden), c = lstm ? Tensor.zeros(layers, 1, hidden) : null;
            copy(out.state().h().value(), b, h, 0, false);
            if (lstm) copy(out.state().c().value(), b, c, 0, false);
            session.state = new TextState(lstm ? RecurrentState.of(h, c) : RecurrentState.of(h), logits);
            results.add(textResult(lm, nll, logits));
        }
        return results;
    }

    private static ObjectNode textResult(LanguageModel lm, ArrayNode nll, Tensor logits) {
        ObjectNode result = NODES.objectNode();
        result.set("nll", nll);
        ArrayNode next = result.putArray("next");
        double norm = logSumExp(logits);
        Integer[] order = new Integer[logits.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(logits.at(b), logits.at(a)));
        for (int r = 0; r < Math.min(5, order.length); r++) {
            next.addObject().put("token", lm.vocabulary().symbol(order[r])).put("p", Math.exp(logits.at(order[r]) - norm));
        }
        return result;
    }

    private static double logSumExp(Tensor logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < logits.size(); i++) max = Math.max(max, logits.at(i));
        for (int i = 0; i < logits.size(); i++) sum += Math.exp(logits.at(i) - max);
        return max + Math.log(sum);
    }

    // ---- reading requests ----

    private static ApiError bad(String detail) {
        return ApiError.badRequest(SOURCE + ": " + detail);
    }

    /** Refuses fields other than {@code allowed}. */
    static void fields(JsonNode body, String... allowed) {
        Set<String> known = Set.of(allowed);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) throw bad("unknown field \"" + f + "\"; expected " + String.join(", ", Arrays.stream(allowed).map(a -> "\"" + a + "\"").toList()));
        }
    }

    private static JsonNode present(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private static JsonNode array(JsonNode body, String field) {
        JsonNode a = present(body, field);
        if (a == null) throw bad("\"" + field + "\" is missing");
        if (!a.isArray()) throw bad("\"" + field + "\" is " + NestedArrays.describe(a) + "; expected an array");
        if (a.isEmpty()) throw bad("\"" + field + "\" is empty");
        return a;
    }

    /** [T][n] finite numbers from the array {@code a}: rows of one number per column, or plain numbers when there is one column. */
    private static float[][] rows(JsonNode a, String field, List<String> columns) {
        int n = columns.size();
        float[][] rows = new float[a.size()][n];
        for (int t = 0; t < a.size(); t++) {
            JsonNode row = a.get(t);
            String at = "\"" + field + "\"[" + t + "]";
            if (n == 1 && row.isNumber()) {
                rows[t][0] = finite(row, at);
            } else if (row.isArray() && row.size() == n) {
                for (int k = 0; k < n; k++) rows[t][k] = finite(row.get(k), at + "[" + k + "]");
            } else {
                throw bad(at + " is " + NestedArrays.describe(row) + "; expected " + (n == 1 ? "a number" : n + " numbers, one per column: " + String.join(", ", columns)));
            }
        }
        return rows;
    }

    private static float finite(JsonNode v, String at) {
        if (!v.isNumber()) throw bad(at + " is " + NestedArrays.describe(v) + "; expected a number");
        float f = (float) v.asDouble();
        if (!Float.isFinite(f)) throw bad(at + " is " + v + ", not a finite number");
        return f;
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode a = array(body, field);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual()) throw bad("\"" + field + "\"[" + i + "] is " + NestedArrays.describe(a.get(i)) + "; expected a string");
            values.add(a.get(i).asText());
        }
        return values;
    }

    private static int integer(JsonNode body, String field, int otherwise, int min, int max) {
        JsonNode v = present(body, field);
        if (v == null) return otherwise;
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw bad("\"" + field + "\" is " + (v.isNumber() ? v.toString() : NestedArrays.describe(v)) + "; expected an integer from " + min + " to " + max);
        }
        return v.asInt();
    }

    private static float number(JsonNode body, String field, float otherwise) {
        JsonNode v = present(body, field);
        if (v == null) return otherwise;
        if (!v.isNumber() || !Float.isFinite((float) v.asDouble())) throw bad("\"" + field + "\" is " + NestedArrays.describe(v) + "; expected a number");
        return (float) v.asDouble();
    }
}
