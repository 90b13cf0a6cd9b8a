package dev.recur.task.seq2seq;

import dev.recur.autograd.Tape;
import dev.recur.tensor.Tensor;
import java.util.List;

/**
 * Recur's own encoder and decoder steps of a {@link Seq2Seq} (package-private there) for the ONNX export's tests:
 * what {@link Search} computes at each step, without dropout and without recording.
 */
public final class Seq2SeqSteps {
    private final Seq2Seq model;
    private final Seq2Seq.Encoded encoded;
    private Seq2Seq.DecoderState state;

    /** Encodes {@code sources} (one batch); the model is put in evaluation mode. */
    public Seq2SeqSteps(Seq2Seq model, List<int[]> sources) {
        this.model = model;
        model.train(false);
        try (var off = Tape.noGrad()) {
            this.encoded = model.encode(sources);
        }
        this.state = encoded.start();
    }

    public Tensor memory() {
        return encoded.keys().memory().value();
    }

    public Tensor keys() {
        return encoded.keys().keys().value();
    }

    /** The decoder's current state h [Ld, N, Hd]. */
    public Tensor h() {
        return state.rnn().h().value();
    }

    /** The decoder's current state c [Ld, N, Hd], null for a GRU. */
    public Tensor c() {
        return state.rnn().c() == null ? null : state.rnn().c().value();
    }

    /** The current feed, the last attentional state [N, Hd]. */
    public Tensor feed() {
        return state.feed().value();
    }

    /** One decoder step's results. */
    public record Step(Tensor logits, Tensor attentional, Tensor attention) {}

    /** One step from {@code previous} [N]; the state advances. */
    public Step step(int[] previous) {
        try (var off = Tape.noGrad()) {
            Seq2Seq.Step s = model.step(previous, state, encoded.keys());
            state = s.next();
            return new Step(model.logits(s.attentional()).value(), s.attentional().value(), s.weights());
        }
    }
}
