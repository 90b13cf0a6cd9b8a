package dev.recur.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.model.EncodeInput;
import dev.recur.cli.model.NestedArrays;
import dev.recur.cli.model.NestedArrays.Axis;
import dev.recur.nn.CellType;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.task.Models;
import dev.recur.task.classify.Classifier;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One model the server answers for, under its name. Recur's modules keep scratch buffers, so one request at a
 * time runs a given model: {@link #lock} is held for the whole computation (a generation included).
 */
final class ServedModel {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String SOURCE = "request";

    final String name;
    final Models.Opened opened;
    private final ReentrantLock lock = new ReentrantLock();

    ServedModel(String name, Models.Opened opened) {
        this.name = name;
        this.opened = opened;
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

    ObjectNode predict(JsonNode body) {
        lock.lock();
        try (var off = Tape.noGrad()) {
            Object model = opened.model();
            if (model instanceof Recurrent rnn) return encode(rnn, body);
            if (model instanceof Classifier classifier) return classify(classifier, body);
            if (model instanceof Tagger tagger) return tag(tagger, body);
            if (model instanceof Seq2Seq s2s) return translate(s2s, body);
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

    /** As {@code recur encode}. */
    private static ObjectNode encode(Recurrent rnn, JsonNode body) {
        EncodeInput in = EncodeInput.parse(SOURCE, body, rnn.config());
        RecurrentOutput out = rnn.forward(Variable.of(in.input()), in.lengths(), in.initial());
        ObjectNode result = NODES.objectNode();
        result.set("output", NestedArrays.write(out.output().value()));
        result.set("h_n", NestedArrays.write(out.h().value()));
        if (out.c() != null) result.set("c_n", NestedArrays.write(out.c().value()));
        return result;
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

    /** As {@code recur seq2seq translate}: per source its n best outputs and their scores. */
    private static ObjectNode translate(Seq2Seq s2s, JsonNode body) {
        fields(body, "sources", "beam", "n_best");
        List<String> sources = strings(body, "sources").stream().map(String::strip).toList();
        int beam = integer(body, "beam", 5, 1, 100);
        int nBest = integer(body, "n_best", 1, 1, beam);
        var options = new Search.Options(beam, nBest, beam == 1 ? 0f : 0.6f, 2f, 10);
        List<Search.Result> results = Seq2SeqTraining.translate(s2s, sources, options);
        ArrayNode outputs = NODES.arrayNode();
        for (Search.Result r : results) {
            ArrayNode hypotheses = outputs.addObject().put("output", s2s.targetText(r.best().tokens())).putArray("n_best");
            for (Search.Hypothesis h : r.hypotheses()) hypotheses.addObject().put("output", s2s.targetText(h.tokens())).put("score", h.score());
        }
        ObjectNode result = NODES.objectNode();
        result.set("outputs", outputs);
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
        } else if (opened.model() instanceof LanguageModel lm) {
            config = RecurrentConfig.of(lm.config().cell(), lm.config().embed(), lm.config().hidden()).withLayers(lm.config().layers());
        } else {
            throw ApiError.badRequest("\"" + name + "\" is " + (opened.model() instanceof Recurrent ? "a bidirectional stack, which reads whole sequences"
                    : opened.kind().noun()) + "; sessions are for unidirectional recurrent stacks and language models");
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

    /** Runs the session's next piece and carries its state (under the model's lock, so one step of a session at a time). */
    ObjectNode step(Sessions.Session session, JsonNode body) {
        lock.lock();
        try (var off = Tape.noGrad()) {
            if (opened.model() instanceof LanguageModel lm) return stepText(lm, session, body);
            return stepStack((Recurrent) opened.model(), session, body);
        } finally {
            lock.unlock();
        }
    }

    private static ObjectNode stepStack(Recurrent rnn, Sessions.Session session, JsonNode body) {
        fields(body, "input");
        JsonNode x = present(body, "input");
        if (x == null) throw bad("\"input\" is missing; expected [T][F] numbers");
        RecurrentConfig config = rnn.config();
        Tensor input = NestedArrays.read(SOURCE, "input", x, List.of(Axis.any("time steps"),
                new Axis("features", config.inputSize(), "the model expects input_size=" + config.inputSize())));
        int steps = input.dim(0);
        Tensor batched = config.batchFirst() ? input.reshape(1, steps, config.inputSize()) : input.reshape(steps, 1, config.inputSize());
        RecurrentOutput out = rnn.forward(Variable.of(batched), null, (RecurrentState) session.state);
        session.state = out.state();
        ObjectNode result = NODES.objectNode();
        result.set("output", NestedArrays.write(out.output().value().copy().reshape(steps, config.outputSize())));
        return result;
    }

    private static ObjectNode stepText(LanguageModel lm, Sessions.Session session, JsonNode body) {
        fields(body, "text");
        JsonNode text = present(body, "text");
        if (text == null || !text.isTextual()) throw bad("\"text\" is " + (text == null ? "missing" : NestedArrays.describe(text)) + "; expected a string");
        int[] ids = lm.config().tokens().encode(text.asText(), lm.vocabulary());
        if (ids.length == 0) throw bad("\"text\" holds no tokens");
        var s = (TextState) session.state;
        RecurrentState state = s.state();
        Tensor logits = s.logits();
        ArrayNode nll = NODES.arrayNode();
        for (int id : ids) {
            if (logits == null) nll.addNull();
            else nll.add(logSumExp(logits) - logits.at(id));
            LanguageModel.Output out = lm.step(new int[] {id}, state);
            state = out.state();
            logits = out.logits().value();
        }
        session.state = new TextState(state, logits);
        ObjectNode result = NODES.objectNode();
        result.set("nll", nll);
        ArrayNode next = result.putArray("next");
        double norm = logSumExp(logits);
        Integer[] order = new Integer[logits.size()];
        Arrays.setAll(order, i -> i);
        Tensor l = logits;
        Arrays.sort(order, (a, b) -> Float.compare(l.at(b), l.at(a)));
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
