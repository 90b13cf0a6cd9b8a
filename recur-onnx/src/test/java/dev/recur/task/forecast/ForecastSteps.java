package dev.recur.task.forecast;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.nn.Linear;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentOutput;
import dev.recur.nn.RecurrentState;
import dev.recur.tensor.Tensor;
import java.util.List;

/**
 * Recur's own forecaster network for the ONNX export's tests: the direct decoder's inputs and head outputs as
 * {@link Forecaster} builds and computes them (package-private there), and the autoregressive decoder's recurrent
 * network and head (the forecaster's private {@code rnn} and {@code head}, read by reflection) run over given
 * inputs. Evaluation mode, nothing recorded.
 */
public final class ForecastSteps {
    private ForecastSteps() {}

    /** The windows' inputs steps [L, B, F] and known [B, K], and the head's outputs [B, H, n, P] in scaled units. */
    public record Direct(Tensor steps, Tensor known, Tensor params) {}

    public static Direct direct(Forecaster f, List<Forecaster.Window> windows) {
        f.train(false);
        try (var off = Tape.noGrad()) {
            Forecaster.Inputs in = f.inputs(windows);
            Tensor params = f.forward(in).value();
            ForecasterConfig c = f.config();
            return new Direct(in.steps(), in.known(), Tensor.of(params.toArray(), windows.size(), c.horizon(), c.targets(), params.dim(1)));
        }
    }

    /** The autoregressive network's outputs: params [T, B, n, P], h_n, c_n (null for a GRU). */
    public record Step(Tensor params, Tensor hN, Tensor cN) {}

    public static Step step(Forecaster f, Tensor input, Tensor h0, Tensor c0) throws ReflectiveOperationException {
        f.train(false);
        Recurrent rnn = field(f, "rnn", Recurrent.class);
        Linear head = field(f, "head", Linear.class);
        try (var off = Tape.noGrad()) {
            RecurrentOutput out = rnn.forward(Variable.of(input), new RecurrentState(Variable.of(h0), c0 == null ? null : Variable.of(c0)));
            Tensor params = head.forward(out.output()).value();
            int t = input.dim(0), b = input.dim(1), n = f.config().targets();
            Tensor cN = out.state().c() == null ? null : out.state().c().value();
            return new Step(Tensor.of(params.toArray(), t, b, n, params.dim(2) / n), out.state().h().value(), cN);
        }
    }

    private static <T> T field(Object owner, String name, Class<T> type) throws ReflectiveOperationException {
        var f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return type.cast(f.get(owner));
    }
}
