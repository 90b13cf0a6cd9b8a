package dev.recur.bench;

import dev.recur.io.Quantization;
import dev.recur.tensor.QuantizedWeights;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.nn.Embedding;
import dev.recur.nn.Linear;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentState;
import dev.recur.nn.Stepper;
import dev.recur.optim.Adam;
import dev.recur.optim.Optimizer;
import dev.recur.optim.Sgd;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;

/**
 * The model of one rb1 case with its data, and the two things the suite times: a forward pass without the tape,
 * and a training step — forward, backward of a scalar loss, optimizer step. As recur-bench/pytorch/rb1.py: the
 * loss is the mean of all outputs with SGD (lr 0.01) for the recurrent stacks, the mean cross-entropy of random
 * next characters with Adam (lr 0.002) for the language model. Inputs are random and fixed; state starts at zero.
 */
abstract sealed class Rb1Workload {

    static Rb1Workload of(Rb1Case c, long seed) {
        return of(c, seed, null);
    }

    /** With {@code dtype} (null: float32) weights: int8 or bf16 as a quantized model file gives them; forward only. */
    static Rb1Workload of(Rb1Case c, long seed, QuantizedWeights.Type dtype) {
        var rng = new Rng(seed);
        return switch (c.kind()) {
            case SEQUENCE -> new Sequences(c, rng, dtype);
            case STEP -> new Steps(c, rng, dtype);
            case LANGUAGE_MODEL -> new LanguageModel(c, rng, dtype);
        };
    }

    /** The model's product weights in {@code dtype}, as `recur quantize` stores them; nothing for float32. */
    static void quantize(dev.recur.nn.Module model, QuantizedWeights.Type dtype) {
        if (dtype != null) Quantization.quantize(model, dtype);
    }

    /** One forward pass, recording nothing. */
    abstract void forward();

    /** One training step. */
    abstract void train();

    static Recurrent stack(Rb1Case c, Rng rng) {
        var config = RecurrentConfig.of(c.cell(), c.input(), c.hidden()).withLayers(c.layers()).withDirections(c.directions());
        return Recurrent.of(config, rng);
    }

    /** A batch of whole sequences [T, B, F] through a recurrent stack. */
    static final class Sequences extends Rb1Workload {
        private final Recurrent model;
        private final Variable x;
        private final Optimizer sgd;

        Sequences(Rb1Case c, Rng rng, QuantizedWeights.Type dtype) {
            model = stack(c, rng);
            x = Variable.of(Tensor.uniform(rng, -1f, 1f, c.steps(), c.batch(), c.input()));
            sgd = dtype == null ? new Sgd(model.parameters(), 0.01f) : null;
            quantize(model, dtype);
        }

        @Override
        void forward() {
            try (var off = Tape.noGrad()) {
                model.forward(x);
            }
        }

        @Override
        void train() {
            sgd.zeroGrad();
            model.forward(x).output().mean().backward();
            sgd.step();
        }
    }

    /** Batch-1 inference one step at a time, carrying the state from step to step, through the stack's stepper. */
    static final class Steps extends Rb1Workload {
        private final Stepper stepper;
        private final Tensor x;
        private RecurrentState state;

        Steps(Rb1Case c, Rng rng, QuantizedWeights.Type dtype) {
            Recurrent model = stack(c, rng);
            quantize(model, dtype);
            stepper = model.stepper();
            x = Tensor.uniform(rng, -1f, 1f, 1, c.input());
            state = model.zeroState(1);
        }

        @Override
        void forward() {
            state = stepper.step(x, state).state();
        }

        @Override
        void train() {
            throw new UnsupportedOperationException("infer-step has no training step");
        }
    }

    /** Embedding → LSTM stack → Linear, trained on random characters with cross-entropy and Adam. */
    static final class LanguageModel extends Rb1Workload {
        private final Embedding encoder;
        private final Recurrent rnn;
        private final Linear decoder;
        private final int[] ids, targets;
        private final int steps, batch;
        private final Optimizer adam;

        LanguageModel(Rb1Case c, Rng rng, QuantizedWeights.Type dtype) {
            encoder = new Embedding(Rb1Case.VOCABULARY, c.input(), rng);
            rnn = stack(c, rng);
            decoder = new Linear(c.hidden(), Rb1Case.VOCABULARY, rng);
            steps = c.steps();
            batch = c.batch();
            ids = new int[steps * batch];
            targets = new int[steps * batch];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = rng.nextInt(Rb1Case.VOCABULARY);
                targets[i] = rng.nextInt(Rb1Case.VOCABULARY);
            }
            var params = new ArrayList<>(encoder.parameters());
            params.addAll(rnn.parameters());
            params.addAll(decoder.parameters());
            adam = dtype == null ? new Adam(params, 0.002f) : null;
            quantize(rnn, dtype);
            quantize(decoder, dtype);
        }

        private Variable logits() {
            return decoder.forward(rnn.forward(encoder.forward(ids, steps, batch)).output());
        }

        @Override
        void forward() {
            try (var off = Tape.noGrad()) {
                logits();
            }
        }

        @Override
        void train() {
            adam.zeroGrad();
            logits().reshape(steps * batch, Rb1Case.VOCABULARY).crossEntropy(targets).backward();
            adam.step();
        }
    }
}
