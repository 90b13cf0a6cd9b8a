package dev.recur.train;

import static dev.recur.tensor.InvalidOptionException.check;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How long and how to train. Training stops at the first budget reached: {@code steps} optimizer steps counted
 * from the start of the run (across resumes), {@code epochs} passes over the data, or {@code time} of wall clock
 * in this process; at least one must be set. Randomness belongs to the task (its generator is checkpointed with it).
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
 */
public record TrainerConfig(long steps, long epochs, Duration time, float lr, double clip, long evalEvery,
                            long checkpointEvery, Path checkpoint, int patience) {

    public TrainerConfig {
        check(steps >= 0, "steps must be ≥ 0, got %d", steps);
        check(epochs >= 0, "epochs must be ≥ 0, got %d", epochs);
        check(steps > 0 || epochs > 0 || time != null, "set a budget: steps, epochs or time");
        check(time == null || !(time.isNegative() || time.isZero()), "time must be positive, got %s", time);
        check(lr > 0 && !Float.isInfinite(lr), "lr must be a positive number, got %s", lr);
        check(clip >= 0 && !Double.isInfinite(clip), "clip must be ≥ 0 (0 = off), got %s", clip);
        check(evalEvery >= 0, "eval-every must be ≥ 0 (0 = only at the end), got %d", evalEvery);
        check(checkpointEvery >= 0, "checkpoint-every must be ≥ 0 (0 = only at the end), got %d", checkpointEvery);
        check(patience >= 0, "patience must be ≥ 0 (0 = never stop early), got %d", patience);
    }

    /** Only a step budget, no checkpoints, validation at the end: for tests and small runs. */
    public static TrainerConfig steps(long steps, float lr) {
        return new TrainerConfig(steps, 0, null, lr, 0, 0, 0, null, 0);
    }

    public TrainerConfig withClip(double clip) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, checkpointEvery, checkpoint, patience);
    }

    public TrainerConfig withCheckpoints(Path checkpoint, long every) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, every, checkpoint, patience);
    }

    public TrainerConfig withEvaluation(long every, int patience) {
        return new TrainerConfig(steps, epochs, time, lr, clip, every, checkpointEvery, checkpoint, patience);
    }

    public TrainerConfig withSteps(long steps) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, checkpointEvery, checkpoint, patience);
    }
}
