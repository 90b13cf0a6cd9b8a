package dev.recur.task.lm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.data.StreamBatches;
import dev.recur.nn.Module;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Tensor;
import dev.recur.train.Metrics;
import dev.recur.train.TrainingTask;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Trains a {@link LanguageModel} by truncated backpropagation through time over a continuous token stream: the
 * training text is cut into B columns and chunks of k steps ({@link StreamBatches}); the recurrent state is
 * carried from one chunk to the next (detached, so gradients stop at the chunk's start) and reset at each epoch.
 * The loss is the mean cross-entropy of the next token, in nats; validation and test report it as "nats" (the
 * primary metric, lower is better) with "bits" and "perplexity" beside it.
 */
public final class LanguageModelTraining implements TrainingTask {
    private final LanguageModel model;
    private final StreamBatches train;
    private final int[] valid;
    /** Columns a validation or test text is cut into. */
    public static final int EVAL_BATCH = 32;

    private final int bptt, evalBatch;
    private int[] test;
    private RecurrentState carried;
    private StreamBatches partStream;   // the part last trained, when batches are split
    private int partOf, partsOf;

    /**
     * @param valid     validation token ids (whole text; see {@link #evaluate})
     * @param evalBatch columns the validation text is cut into, e.g. 32
     */
    public LanguageModelTraining(LanguageModel model, int[] train, int[] valid, int batch, int bptt, int evalBatch) {
        this(model, train, valid, batch, bptt, bptt, evalBatch);
    }

    /** With chunks of {@code bptt} steps starting every {@code stride} ≤ bptt steps (TBPTT(stride, bptt)). */
    public LanguageModelTraining(LanguageModel model, int[] train, int[] valid, int batch, int bptt, int stride, int evalBatch) {
        this.model = model;
        this.train = new StreamBatches(train, batch, bptt, stride);
        this.valid = valid;
        this.bptt = bptt;
        this.evalBatch = evalBatch;
    }

    /** Scores {@code test} (token ids of the test text) after training, in {@link #test()}. */
    public LanguageModelTraining withTest(int[] test) {
        this.test = test;
        return this;
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public ObjectNode modelConfig() {
        return model.configJson();
    }

    /** Dropout draws from the model's generator, whose state {@link #state()} saves. */
    @Override
    public Batch trainBatch(long index) {
        return trainChunk(train, index);
    }

    /** Part k of W is the k-th block of B / W columns (B must divide among the parts); its recurrent state is carried as the whole's is. */
    @Override
    public Batch trainBatch(long index, int part, int parts) {
        if (parts == 1) return trainBatch(index);
        if (partStream == null || partOf != part || partsOf != parts) {
            partStream = train.part(part, parts);
            partOf = part;
            partsOf = parts;
        }
        return trainChunk(partStream, index);
    }

    private Batch trainChunk(StreamBatches stream, long index) {
        int c = (int) (index % stream.chunks());
        if (c == 0) carried = null;
        StreamBatches.Chunk chunk = stream.chunk(c);
        model.train(true);
        int b = chunk.batch(), first = chunk.carry(), rest = chunk.steps() - first, v = model.vocabulary().size();
        // The first `carry` steps end where the next chunk starts: their final state is the one to carry on.
        LanguageModel.Output head = model.forward(java.util.Arrays.copyOf(chunk.inputs(), first * b), first, b, carried);
        Variable logits = head.logits();
        if (rest > 0) {
            int[] tail = java.util.Arrays.copyOfRange(chunk.inputs(), first * b, chunk.steps() * b);
            logits = dev.recur.autograd.Functional.concat(0, logits, model.forward(tail, rest, b, head.state()).logits());
        }
        Variable loss = logits.reshape(chunk.steps() * b, v).crossEntropy(chunk.targets(), StreamBatches.IGNORE);
        loss.backward();
        carried = head.state().detach();
        long counted = java.util.Arrays.stream(chunk.targets()).filter(t -> t != StreamBatches.IGNORE).count();
        return new Batch(loss.value().item(), counted);
    }

    @Override
    public Metrics validate() {
        return evaluate(model, valid, evalBatch, bptt).metrics();
    }

    @Override
    public Optional<Metrics> test() {
        return test == null ? Optional.empty() : Optional.of(evaluate(model, test, evalBatch, bptt).metrics());
    }

    /** ln V: the loss of a uniform guess over the vocabulary. */
    @Override
    public double chanceLoss() {
        return Math.log(model.vocabulary().size());
    }

    @Override
    public long batchesPerEpoch() {
        return train.chunks();
    }

    @Override
    public Map<String, Tensor> state() {
        var s = new LinkedHashMap<String, Tensor>();
        s.put("rng", model.rng().stateTensor());
        if (carried != null) {
            s.put("h", carried.h().value());
            if (carried.c() != null) s.put("c", carried.c().value());
        }
        return s;
    }

    @Override
    public void restore(Map<String, Tensor> state) {
        if (state.containsKey("rng")) model.rng().restore(state.get("rng"));
        Tensor h = state.get("h"), c = state.get("c");
        carried = h == null ? null : c == null ? RecurrentState.of(h.copy()) : RecurrentState.of(h.copy(), c.copy());
    }

    /** Cross-entropy over a whole text. */
    public record Evaluation(long tokens, double natsPerToken) {
        public double bitsPerToken() {
            return natsPerToken / Math.log(2);
        }

        public double perplexity() {
            return Math.exp(natsPerToken);
        }

        /** nats (primary, lower is better), bits and perplexity. */
        public Metrics metrics() {
            return Metrics.lower("nats", natsPerToken).with("bits", bitsPerToken()).with("perplexity", perplexity());
        }
    }

    /**
     * The mean next-token cross-entropy over all of {@code tokens}: the text is cut into {@code batch} columns,
     * each read from its start with the state carried across chunks; no dropout, nothing recorded.
     */
    public static Evaluation evaluate(LanguageModel model, int[] tokens, int batch, int bptt) {
        return evaluate(model, tokens, batch, bptt, scored -> {});
    }

    /** As above, telling {@code progress} the number of tokens scored so far after each chunk. */
    public static Evaluation evaluate(LanguageModel model, int[] tokens, int batch, int bptt, LongConsumer progress) {
        StreamBatches stream = evaluationStream(tokens, batch, bptt);
        boolean wasTraining = model.training();
        model.train(false);
        double total = 0;
        long count = 0;
        RecurrentState state = null;
        try (var off = Tape.noGrad()) {
            for (int c = 0; c < stream.chunks(); c++) {
                StreamBatches.Chunk chunk = stream.chunk(c);
                LanguageModel.Output out = model.forward(chunk.inputs(), chunk.steps(), chunk.batch(), state);
                int n = chunk.steps() * chunk.batch();
                double mean = out.logits().reshape(n, model.vocabulary().size()).crossEntropy(chunk.targets()).value().item();
                total += mean * n;
                count += n;
                state = out.state();
                progress.accept(count);
            }
        } finally {
            model.train(wasTraining);
        }
        return new Evaluation(count, total / count);
    }

    /** A whole text cut for evaluation: {@code batch} columns, fewer when the text is too short for them. */
    static StreamBatches evaluationStream(int[] tokens, int batch, int bptt) {
        return new StreamBatches(tokens, Math.max(1, Math.min(batch, tokens.length / 2)), bptt);
    }
}
