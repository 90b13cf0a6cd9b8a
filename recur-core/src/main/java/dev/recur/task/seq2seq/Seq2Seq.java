package dev.recur.task.seq2seq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Functional;
import dev.recur.autograd.Variable;
import dev.recur.data.StreamBatches;
import dev.recur.data.Vocabulary;
import dev.recur.io.ModelFile;
import dev.recur.nn.Attention;
import dev.recur.nn.CellType;
import dev.recur.nn.Dropout;
import dev.recur.nn.Embedding;
import dev.recur.nn.Lengths;
import dev.recur.nn.Linear;
import dev.recur.nn.Module;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentState;
import dev.recur.task.Models;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder–decoder with attention (Bahdanau et al. 2015; Luong et al. 2015, as OpenNMT builds it):
 * <pre>
 * encoder    m = BiRNN(dropout(E_src[x]), lengths)                     [S, B, 2·He], zero past each length
 * bridge     h0_l = tanh(W_l [h→_S ; h←_1] + b_l) per decoder layer (c0 likewise for LSTMs)
 * decoder    h_t = RNN([E_tgt[y_{t−1}] ; h̃_{t−1}], state)             input feeding: the previous attentional state
 *            c_t = attention(h_t, m)                                   additive, dot or general
 *            h̃_t = tanh(W_c [c_t ; h_t] + b_c)
 *            p(y_t | y_&lt;t, x) = softmax(W_o dropout(h̃_t) + b_o)
 * </pre>
 * trained with teacher forcing by cross-entropy with label smoothing, one target token at a time, each target ending
 * with {@code </s>}. Padding never changes a result. Parameters: {@code source.weight}, {@code encoder.*} (PyTorch's
 * names), {@code bridge.h0.*} (and {@code bridge.c0.*}), {@code target.weight}, {@code decoder.*}, {@code attention.*},
 * {@code combine.*}, {@code generator.*}.
 * <pre>
 * var model = Models.open(Path.of("g2p.safetensors"), Seq2Seq.class);
 * Search.Result r = Search.beam(model, List.of("HELLO"), Search.Options.beam(5)).get(0);
 * model.targetText(r.best().tokens());   // "HH AH L OW"
 * </pre>
 */
public final class Seq2Seq extends Module {
    public static final String TYPE = "seq2seq";
    /** The target vocabulary's start and end symbols; id 0 is the unknown symbol. */
    public static final String START = "<s>", END = "</s>";
    public static final int START_ID = 1, END_ID = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Seq2SeqConfig config;
    private final Unit.Side sourceSide, targetSide;
    private final Vocabulary sources, targets;
    private final Rng rng;
    private final Embedding sourceEmbedding, targetEmbedding;
    private final Recurrent encoder, decoder;
    private final Bridge bridge;
    private final Attention attention;
    private final Linear combine, generator;
    private final Dropout dropout;

    /** Draws initial weights and dropout masks from {@code rng}; the target vocabulary starts with unk, START, END. */
    public Seq2Seq(Seq2SeqConfig config, Unit.Side sourceSide, Unit.Side targetSide, Vocabulary sources, Vocabulary targets, Rng rng) {
        if (targets.size() < 4 || !targets.symbols().get(START_ID).equals(START) || !targets.symbols().get(END_ID).equals(END)) {
            throw new IllegalArgumentException("the target vocabulary must be " + Vocabulary.UNKNOWN + ", " + START + ", " + END + " and at least one symbol");
        }
        this.config = config;
        this.sourceSide = sourceSide;
        this.targetSide = targetSide;
        this.sources = sources;
        this.targets = targets;
        this.rng = rng;
        this.sourceEmbedding = register("source", new Embedding(sources.size(), config.embed(), rng));
        var ec = RecurrentConfig.of(config.cell(), config.embed(), config.encoderHidden()).withLayers(config.encoderLayers())
                .withDirections(2).withDropout(config.encoderLayers() > 1 ? config.dropout() : 0f);
        this.encoder = register("encoder", Recurrent.of(ec, rng));
        this.bridge = register("bridge", new Bridge(config, rng));
        this.targetEmbedding = register("target", new Embedding(targets.size(), config.embed(), rng));
        var dc = RecurrentConfig.of(config.cell(), config.embed() + config.decoderHidden(), config.decoderHidden())
                .withLayers(config.decoderLayers()).withDropout(config.decoderLayers() > 1 ? config.dropout() : 0f);
        this.decoder = register("decoder", Recurrent.of(dc, rng));
        this.attention = register("attention", new Attention(config.attention(), config.decoderHidden(), config.memorySize(), config.decoderHidden(), rng));
        this.combine = register("combine", new Linear(config.memorySize() + config.decoderHidden(), config.decoderHidden(), rng));
        this.generator = register("generator", new Linear(config.decoderHidden(), targets.size(), rng));
        this.dropout = register("drop", new Dropout(config.dropout(), rng));
    }

    /** The decoder's initial state from the encoder's last layer: tanh(W [h→ ; h←] + b) per decoder layer. */
    private static final class Bridge extends Module {
        final List<Linear> h = new ArrayList<>(), c = new ArrayList<>();

        Bridge(Seq2SeqConfig config, Rng rng) {
            for (int l = 0; l < config.decoderLayers(); l++) {
                h.add(register("h" + l, new Linear(config.memorySize(), config.decoderHidden(), rng)));
                if (config.cell() == CellType.LSTM) c.add(register("c" + l, new Linear(config.memorySize(), config.decoderHidden(), rng)));
            }
        }

        Variable of(List<Linear> layers, Variable last) {
            int b = last.value().dim(0);
            var parts = new Variable[layers.size()];
            for (int l = 0; l < parts.length; l++) parts[l] = layers.get(l).forward(last).tanh().reshape(1, b, layers.get(l).weight().value().dim(0));
            return parts.length == 1 ? parts[0] : Functional.concat(0, parts);
        }
    }

    /** A batch's encoded sources: the attention's keys over the memory, and the decoder's initial state. */
    record Encoded(Attention.Keys keys, DecoderState start) {}

    /** The decoder's state between steps: the recurrent state and the last attentional state h̃ [N, Hd]. */
    record DecoderState(RecurrentState rnn, Variable feed) {
        /** Rows {@code rows} of every part, in that order (for beam search; nothing recorded). */
        DecoderState select(int[] rows) {
            Variable h = Variable.of(Rows.select(rnn.h().value(), rows));
            Variable c = rnn.c() == null ? null : Variable.of(Rows.select(rnn.c().value(), rows));
            return new DecoderState(new RecurrentState(h, c), Variable.of(Rows.select(feed.value(), rows)));
        }
    }

    /** One decoder step's output: the attentional state h̃ [N, Hd], the new state and the attention weights [N, S]. */
    record Step(Variable attentional, DecoderState next, Tensor weights) {}

    Encoded encode(List<int[]> batch) {
        int b = batch.size(), s = 0;
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = batch.get(i).length;
            if (lengths[i] == 0) throw new IllegalArgumentException("source " + i + " of the batch is empty");
            s = Math.max(s, lengths[i]);
        }
        int[] ids = new int[s * b];
        for (int i = 0; i < b; i++) for (int t = 0; t < lengths[i]; t++) ids[t * b + i] = batch.get(i)[t];
        Lengths lens = Lengths.of(lengths);
        var out = encoder.forward(dropout.forward(sourceEmbedding.forward(ids, s, b)), lens, null);
        Variable memory = dropout.forward(out.output());
        int layers = 2 * config.encoderLayers(), he = config.encoderHidden();
        Variable h = bridge.of(bridge.h, last(out.state().h(), layers, b, he));
        Variable c = config.cell() == CellType.LSTM ? bridge.of(bridge.c, last(out.state().c(), layers, b, he)) : null;
        var feed = Variable.of(Tensor.zeros(b, config.decoderHidden()));
        return new Encoded(attention.keys(memory, lens), new DecoderState(new RecurrentState(h, c), feed));
    }

    /** [h→ ; h←] of the top layer, from a final state [2·L, B, He]: [B, 2·He]. */
    private static Variable last(Variable state, int layers, int b, int he) {
        return Functional.concat(1, state.slice(0, layers - 2, layers - 1).reshape(b, he), state.slice(0, layers - 1, layers).reshape(b, he));
    }

    /** One decoder step from the previous tokens {@code previous} [N]. */
    Step step(int[] previous, DecoderState state, Attention.Keys keys) {
        int n = previous.length;
        Variable x = Functional.concat(1, dropout.forward(targetEmbedding.forward(previous, n)), state.feed());
        var out = decoder.forward(x.reshape(1, n, config.embed() + config.decoderHidden()), null, state.rnn());
        Variable h = out.output().reshape(n, config.decoderHidden());
        Attention.Output a = attention.forward(keys, h);
        Variable attentional = combine.forward(Functional.concat(1, a.context(), h)).tanh();
        return new Step(attentional, new DecoderState(out.state(), attentional), a.weights());
    }

    /** Scores over the target vocabulary [N, V] of attentional states [N, Hd]. */
    Variable logits(Variable attentional) {
        return generator.forward(dropout.forward(attentional));
    }

    /**
     * The training loss of a batch: the mean over target tokens (each target's symbols and its {@code </s>}) of the
     * label-smoothed cross-entropy, with teacher forcing. Ids as {@link #sourceIds} and {@link #targetIds} give them.
     */
    public Variable loss(List<int[]> sourceBatch, List<int[]> targetBatch) {
        int b = sourceBatch.size(), t = 0;
        for (int[] y : targetBatch) t = Math.max(t, y.length + 1);
        Encoded e = encode(sourceBatch);
        int[] gold = new int[t * b];
        java.util.Arrays.fill(gold, StreamBatches.IGNORE);
        var states = new Variable[t];
        DecoderState state = e.start();
        int[] previous = new int[b];
        java.util.Arrays.fill(previous, START_ID);
        for (int s = 0; s < t; s++) {
            Step step = step(previous, state, e.keys());
            states[s] = step.attentional();
            state = step.next();
            previous = new int[b];
            for (int i = 0; i < b; i++) {
                int[] y = targetBatch.get(i);
                int next = s < y.length ? y[s] : END_ID;
                if (s <= y.length) gold[s * b + i] = next;
                previous[i] = next;
            }
        }
        Variable all = t == 1 ? states[0] : Functional.concat(0, states);
        return logits(all).crossEntropy(gold, StreamBatches.IGNORE, config.labelSmoothing());
    }

    /** The source's symbol ids (0 for symbols never seen in training). */
    public int[] sourceIds(String line) {
        return sourceSide.split(line).stream().mapToInt(sources::id).toArray();
    }

    /** The target's symbol ids, without {@code </s>}. */
    public int[] targetIds(String line) {
        return targetSide.split(line).stream().mapToInt(targets::id).toArray();
    }

    /** The text of target ids (up to, not including, {@code </s>}). */
    public String targetText(int[] ids) {
        var symbols = new ArrayList<String>(ids.length);
        for (int id : ids) {
            if (id == END_ID) break;
            symbols.add(targets.symbols().get(id));
        }
        return targetSide.join(symbols);
    }

    /** The source's symbols as the model reads them (unknown ones as {@code <unk>}), e.g. for an attention plot's axis. */
    public List<String> sourceSymbols(String line) {
        return sourceSide.split(line).stream().map(s -> sources.contains(s) ? s : Vocabulary.UNKNOWN).toList();
    }

    /** The target symbol of an id. */
    public String targetSymbol(int id) {
        return targets.symbols().get(id);
    }

    public Seq2SeqConfig config() {
        return config;
    }

    public Unit.Side sourceSide() {
        return sourceSide;
    }

    public Unit.Side targetSide() {
        return targetSide;
    }

    public Vocabulary sourceVocabulary() {
        return sources;
    }

    public Vocabulary targetVocabulary() {
        return targets;
    }

    /** The generator dropout draws from; its state goes into checkpoints. */
    public Rng rng() {
        return rng;
    }

    public ObjectNode configJson() {
        ObjectNode c = JSON.createObjectNode().put("type", TYPE);
        config.write(c);
        writeSide(c.putObject("source"), sourceSide, sources);
        writeSide(c.putObject("target"), targetSide, targets);
        return c;
    }

    private static void writeSide(ObjectNode c, Unit.Side side, Vocabulary vocabulary) {
        c.put("unit", side.unit().label());
        if (side.bpe() != null) side.bpe().merges().forEach(c.putArray("merges")::add);
        vocabulary.symbols().forEach(c.putArray("symbols")::add);
    }

    private static Unit.Side side(JsonNode c) {
        Unit unit = Unit.parse(c.get("unit").asText(), "unit");
        Bpe bpe = null;
        if (unit == Unit.BPE) {
            var merges = new ArrayList<String>();
            c.get("merges").forEach(m -> merges.add(m.asText()));
            bpe = Bpe.of(merges);
        }
        return new Unit.Side(unit, bpe);
    }

    private static Vocabulary symbols(JsonNode c) {
        var list = new ArrayList<String>();
        c.get("symbols").forEach(s -> list.add(s.asText()));
        return Vocabulary.of(list);
    }

    /** The model a model file holds, in evaluation mode; the registry's loader. */
    public static Seq2Seq of(ModelFile file) {
        return Models.load(file, "sequence-to-sequence", c -> new Seq2Seq(Seq2SeqConfig.read(c), side(c.get("source")), side(c.get("target")),
                symbols(c.get("source")), symbols(c.get("target")), new Rng(0)));
    }

    /** Writes the model file (configuration, units, vocabularies and weights). */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        ModelFile.write(file, configJson(), stateDict());
    }

    @Override
    public String toString() {
        return "Seq2Seq(" + config.describe() + ", " + sourceSide.describe() + " → " + targetSide.describe() + ", "
                + sources.size() + " → " + targets.size() + " symbols)";
    }
}
