package dev.recur.task.anomaly;

import dev.recur.autograd.Tape;
import dev.recur.task.forecast.Forecaster;
import dev.recur.tensor.Tensor;

/**
 * Recur's own networks of an {@link AnomalyDetector} for the ONNX export's tests: its private forecaster and
 * autoencoder, read by reflection; the autoencoder's reconstruction as {@link Autoencoder#forward} (package-private)
 * computes it, in evaluation mode, nothing recorded.
 */
public final class AnomalySteps {
    private AnomalySteps() {}

    /** The one-step forecaster of a detector with the forecast method. */
    public static Forecaster forecaster(AnomalyDetector d) throws ReflectiveOperationException {
        return (Forecaster) field(d, "forecaster");
    }

    /** The reconstruction [W, B, n] of windows [W, B, n] by a detector with the reconstruction method. */
    public static Tensor reconstruction(AnomalyDetector d, Tensor windows) throws ReflectiveOperationException {
        var autoencoder = (Autoencoder) field(d, "autoencoder");
        d.train(false);
        try (var off = Tape.noGrad()) {
            return Tensor.of(autoencoder.forward(windows).value().toArray(), windows.shape());
        }
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        var f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }
}
