package dev.recur.train;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How long and how to train. Training stops at the first budget reached: {@code steps} optimizer steps counted
 * from the start of the run (across resumes), {@code epochs} passes over the data, or {@code time} of wall clock
 * in this process; at least one must be set.
 *
 * @param steps           total optimizer steps, e.g. 5000; 0 = no step budget
 * @param epochs          passes over the training data, e.g. 10; 0 = no epoch budget
 * @param time            wall-clock budget, e.g. 10 minutes; null = none
 * @param lr              base learning rate, e.g. 2e-3
 * @param clip            maximum global gradient norm, e.g. 1.0; 0 = no clipping
 * @param evalEvery       validate every this many steps, e.g. 500; 0 = only at the end
 * @param checkpointEvery write a checkpoint every this many steps, e.g. 1000; 0 = only at the end
 * @param checkpoint      where checkpoints go (the model file + ".ckpt"); null = none
 * @param patience        stop after this many evaluations without improvement, e.g. 5; 0 = never
 * @param seed            seed of the trainer's random generator (dropout, sampling), e.g. 1
 */
public record TrainerConfig(long steps, long epochs, Duration time, float lr, double clip, long evalEvery,
                            long checkpointEvery, Path checkpoint, int patience, long seed) {

    public TrainerConfig {
        if (steps < 0) throw new IllegalArgumentException("steps must be ≥ 0, got " + steps);
        if (epochs < 0) throw new IllegalArgumentException("epochs must be ≥ 0, got " + epochs);
        if (steps == 0 && epochs == 0 && time == null) throw new IllegalArgumentException("set a budget: --steps, --epochs or --time");
        if (time != null && (time.isNegative() || time.isZero())) throw new IllegalArgumentException("time must be positive, got " + time);
        if (!(lr > 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("lr must be a positive number, got " + lr);
        if (!(clip >= 0)) throw new IllegalArgumentException("clip must be ≥ 0 (0 = off), got " + clip);
        if (evalEvery < 0 || checkpointEvery < 0 || patience < 0) {
            throw new IllegalArgumentException("eval-every, checkpoint-every and patience must be ≥ 0");
        }
    }

    /** Only a step budget, no checkpoints, validation at the end: for tests and small runs. */
    public static TrainerConfig steps(long steps, float lr) {
        return new TrainerConfig(steps, 0, null, lr, 0, 0, 0, null, 0, 1);
    }

    public TrainerConfig withClip(double clip) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, checkpointEvery, checkpoint, patience, seed);
    }

    public TrainerConfig withCheckpoints(Path checkpoint, long every) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, every, checkpoint, patience, seed);
    }

    public TrainerConfig withEvaluation(long every, int patience) {
        return new TrainerConfig(steps, epochs, time, lr, clip, every, checkpointEvery, checkpoint, patience, seed);
    }

    public TrainerConfig withSteps(long steps) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, checkpointEvery, checkpoint, patience, seed);
    }

    public TrainerConfig withSeed(long seed) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, checkpointEvery, checkpoint, patience, seed);
    }
}
