package dev.recur.optim;

import dev.recur.autograd.Variable;
import java.util.List;

/** The optimizers a training plan can name, each with PyTorch's defaults besides the learning rate. */
public enum OptimizerType {
    /** {@link Adam}: β = (0.9, 0.999), ε = 1e-8, no weight decay. */
    ADAM,
    /** AdamW: Adam with decoupled weight decay 0.01 (PyTorch's default). */
    ADAMW,
    /** {@link Sgd} without momentum. */
    SGD,
    /** {@link RmsProp}: α = 0.99, ε = 1e-8. */
    RMSPROP;

    /** A new optimizer of this type over {@code params}. */
    public Optimizer create(List<Variable> params, float lr) {
        return switch (this) {
            case ADAM -> new Adam(params, lr);
            case ADAMW -> Adam.adamW(params, lr, 0.01f);
            case SGD -> new Sgd(params, lr);
            case RMSPROP -> new RmsProp(params, lr);
        };
    }
}
