package dev.recur.optim;

import dev.recur.tensor.InvalidOptionException;
/**
 * A learning-rate schedule: the learning rate at each optimizer step as a multiple of the base rate. Stateless
 * schedules are functions of the step; {@link Plateau} also watches a validation metric.
 * <pre>
 * constant            1
 * step(s, γ)          γ^⌊t / s⌋                                    (PyTorch StepLR)
 * exponential(γ)      γ^t                                          (ExponentialLR)
 * cosine(w, n, m)     (t + 1)/w for t &lt; w, then m + (1 − m)·(1 + cos(π·(t − w)/(n − w)))/2   (CosineAnnealingLR when w = 0)
 * cosineOverBudget    (t + 1)/w for t &lt; w, then m + (1 − m)·(1 + cos(π·p))/2, p = fraction of the run's budget spent
 * stableDecay         (t + 1)/w for t &lt; w, then 1 until p = 1 − d, then linearly down to m at p = 1 (warm-up, stable, decay)
 * plateau             × factor after `patience` evaluations without improvement (ReduceLROnPlateau)
 * </pre>
 * t counts optimizer steps from 0.
 */
public sealed interface Schedule permits Schedule.Constant, Schedule.Step, Schedule.Exponential, Schedule.Cosine,
        Schedule.BudgetDecay, Plateau {

    /** The multiple of the base learning rate to use at step t. */
    double factor(long t);

    /**
     * The multiple at step t when the trainer knows how much of its budget is spent: {@code progress} in [0, 1] is
     * the larger of steps done / step budget and seconds elapsed / time budget. Only {@link CosineOverBudget} uses it.
     */
    default double factor(long t, double progress) {
        return factor(t);
    }

    /** Reports a validation metric, lower being better (the trainer negates one that is better higher); only {@link Plateau} reacts. */
    default void observe(double metric) {}

    /** What a checkpoint must hold to resume this schedule exactly; empty for a function of the step. */
    default double[] state() {
        return new double[0];
    }

    /** Restores what {@link #state()} returned. */
    default void restore(double[] state) {}

    static Schedule constant() {
        return new Constant();
    }

    static Schedule step(long every, double gamma) {
        return new Step(every, gamma);
    }

    static Schedule exponential(double gamma) {
        return new Exponential(gamma);
    }

    /** Linear warm-up over {@code warmup} steps, then cosine decay to {@code minFactor} at step {@code total}. */
    static Schedule cosine(long warmup, long total, double minFactor) {
        return new Cosine(warmup, total, minFactor);
    }

    /**
     * Linear warm-up over {@code warmup} steps, then cosine decay to {@code minFactor} as the budget is spent: with a
     * wall-clock budget ({@code --time 30m}) the rate reaches its minimum when the time runs out, however many steps
     * that turns out to be.
     */
    static Schedule cosineOverBudget(long warmup, double minFactor) {
        return new BudgetDecay(warmup, 1.0, true, minFactor);
    }

    /**
     * Linear warm-up over {@code warmup} steps, the full rate until the last {@code decay} fraction of the budget,
     * then a linear decay to {@code minFactor} as the budget runs out (warmup-stable-decay): a run that is still
     * learning fast when its time is up keeps the full rate for most of it and still ends annealed.
     */
    static Schedule stableDecay(long warmup, double decay, double minFactor) {
        return new BudgetDecay(warmup, decay, false, minFactor);
    }

    record Constant() implements Schedule {
        @Override
        public double factor(long t) {
            return 1;
        }
    }

    record Step(long every, double gamma) implements Schedule {
        public Step {
            if (every < 1) throw new InvalidOptionException("step schedule: every must be at least 1, got " + every);
            if (!(gamma > 0)) throw new InvalidOptionException("step schedule: gamma must be > 0, got " + gamma);
        }

        @Override
        public double factor(long t) {
            return Math.pow(gamma, t / every);
        }
    }

    record Exponential(double gamma) implements Schedule {
        public Exponential {
            if (!(gamma > 0)) throw new InvalidOptionException("exponential schedule: gamma must be > 0, got " + gamma);
        }

        @Override
        public double factor(long t) {
            return Math.pow(gamma, t);
        }
    }

    record Cosine(long warmup, long total, double minFactor) implements Schedule {
        public Cosine {
            if (warmup < 0 || total < 1 || warmup >= total) {
                throw new InvalidOptionException("cosine schedule: need 0 ≤ warmup < total steps, got warmup " + warmup + ", total " + total);
            }
            if (!(minFactor >= 0 && minFactor <= 1)) throw new InvalidOptionException("cosine schedule: minimum factor must be in [0, 1], got " + minFactor);
        }

        @Override
        public double factor(long t) {
            if (t < warmup) return (t + 1) / (double) warmup;
            double progress = Math.min(1.0, (t - warmup) / (double) (total - warmup));
            return minFactor + (1 - minFactor) * (1 + Math.cos(Math.PI * progress)) / 2;
        }
    }

    /**
     * Warm-up, the full rate until the last {@code decay} fraction of the budget, then down to {@code minFactor}
     * along a cosine or a straight line: {@link #cosineOverBudget} (decay = 1, cosine) and {@link #stableDecay}.
     */
    record BudgetDecay(long warmup, double decay, boolean cosine, double minFactor) implements Schedule {
        public BudgetDecay {
            if (warmup < 0) throw new InvalidOptionException("budget schedule: warmup must be ≥ 0 steps, got " + warmup);
            if (!(decay > 0 && decay <= 1)) throw new InvalidOptionException("budget schedule: the decay fraction must be in (0, 1], got " + decay);
            if (!(minFactor >= 0 && minFactor <= 1)) throw new InvalidOptionException("budget schedule: minimum factor must be in [0, 1], got " + minFactor);
        }

        /** Without a budget to measure progress against: the warm-up, then the full rate. */
        @Override
        public double factor(long t) {
            return factor(t, 0);
        }

        @Override
        public double factor(long t, double progress) {
            if (t < warmup) return (t + 1) / (double) warmup;
            double p = Math.min(1.0, Math.max(0.0, progress)), into = (p - (1 - decay)) / decay;
            if (into <= 0) return 1;
            return cosine ? minFactor + (1 - minFactor) * (1 + Math.cos(Math.PI * into)) / 2 : 1 - (1 - minFactor) * into;
        }
    }
}
