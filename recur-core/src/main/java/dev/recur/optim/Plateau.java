package dev.recur.optim;

import dev.recur.tensor.InvalidOptionException;
/**
 * Reduces the learning rate when a metric stops improving, as PyTorch's ReduceLROnPlateau (mode "min",
 * relative threshold): a metric is better when it is below best − threshold·|best| (for a metric that is better
 * higher, passed negated, this is PyTorch's mode "max": above best·(1 + threshold)); after more than
 * {@code patience} evaluations that are not better, the factor is multiplied by {@code decay} (never below
 * {@code minFactor}), then {@code cooldown} evaluations are ignored.
 */
public final class Plateau implements Schedule {
    private final double decay, threshold, minFactor;
    private final int patience, cooldown;
    private double factor = 1, best = Double.POSITIVE_INFINITY;
    private int bad, cooling;

    /** PyTorch's defaults: decay 0.1, patience 10, threshold 1e-4, cooldown 0, no minimum. */
    public Plateau() {
        this(0.1, 10, 1e-4, 0, 0);
    }

    public Plateau(double decay, int patience, double threshold, int cooldown, double minFactor) {
        if (!(decay > 0 && decay < 1)) throw new InvalidOptionException("plateau: decay must be in (0, 1), got " + decay);
        if (patience < 0 || cooldown < 0) throw new InvalidOptionException("plateau: patience and cooldown must be ≥ 0");
        this.decay = decay;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minFactor = minFactor;
    }

    @Override
    public double factor(long t) {
        return factor;
    }

    @Override
    public void observe(double metric) {
        if (metric < best - threshold * Math.abs(best) || best == Double.POSITIVE_INFINITY && metric < best) {
            best = metric;
            bad = 0;
        } else {
            bad++;
        }
        if (cooling > 0) {
            cooling--;
            bad = 0;
        }
        if (bad > patience) {
            double reduced = Math.max(factor * decay, minFactor);
            if (factor - reduced > 1e-8) factor = reduced;
            cooling = cooldown;
            bad = 0;
        }
    }

    /** The state to checkpoint: factor, best, bad evaluations, cooldown left. */
    @Override
    public double[] state() {
        return new double[] {factor, best, bad, cooling};
    }

    @Override
    public void restore(double[] state) {
        factor = state[0];
        best = state[1];
        bad = (int) state[2];
        cooling = (int) state[3];
    }
}
