package dev.recur.train;

import static dev.recur.tensor.InvalidOptionException.check;

import dev.recur.optim.OptimizerType;
import dev.recur.optim.Schedule;
import dev.recur.optim.ScheduleType;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How any task trains: the budget, the optimizer and its schedule, validation, early stopping and checkpoints. The
 * options every {@code recur TASK train} shares; field names match them ({@code evalEvery} ↔ {@code --eval-every}).
 * <pre>
 * var plan = TrainingPlan.defaults().withTime(Duration.ofMinutes(30));
 * </pre>
 *
 * @param steps           total optimizer steps, across resumes, e.g. 5000; 0 = no step budget
 * @param epochs          passes over the training data, e.g. 10; 0 = no epoch budget
 * @param time            wall-clock budget of this process, e.g. 30 minutes; null = none
 * @param optimizer       e.g. ADAM
 * @param lr              base learning rate, e.g. 2e-3
 * @param clip            maximum global gradient norm, e.g. 1.0; 0 = off
 * @param schedule        e.g. WSD
 * @param warmup          steps of linear warm-up for the budget schedules, e.g. 50
 * @param decay           the fraction of the budget over which WSD decays, in (0, 1], e.g. 0.2
 * @param evalEvery       validate every N steps, e.g. 250; 0 = only at the end
 * @param patience        stop after N validations without improvement, e.g. 5; 0 = never
 * @param checkpointEvery write the checkpoint every N steps and at the end, e.g. 500; 0 = only at the end
 */
public record TrainingPlan(long steps, long epochs, Duration time, OptimizerType optimizer, float lr, double clip,
                           ScheduleType schedule, long warmup, double decay, long evalEvery, int patience, long checkpointEvery) {

    /** The time budget when none is given. */
    public static final Duration DEFAULT_TIME = Duration.ofMinutes(5);

    public TrainingPlan {
        check(optimizer != null && schedule != null, "optimizer and schedule must be given");
        check(steps >= 0 && epochs >= 0, "steps and epochs must be ≥ 0, got %d and %d", steps, epochs);
        check(time == null || !(time.isNegative() || time.isZero()), "time must be positive, got %s", time);
        check(lr > 0 && !Float.isInfinite(lr), "lr must be a positive number, got %s", lr);
        check(clip >= 0 && !Double.isInfinite(clip), "clip must be ≥ 0 (0 = off), got %s", clip);
        check(warmup >= 0, "warmup must be ≥ 0, got %d", warmup);
        check(decay > 0 && decay <= 1, "decay must be in (0, 1], got %s", decay);
        check(evalEvery >= 0, "eval-every must be ≥ 0 (0 = only at the end), got %d", evalEvery);
        check(patience >= 0, "patience must be ≥ 0 (0 = never stop early), got %d", patience);
        check(checkpointEvery >= 0, "checkpoint-every must be ≥ 0 (0 = only at the end), got %d", checkpointEvery);
        if (steps == 0 && epochs == 0 && time == null) time = DEFAULT_TIME;
    }

    /** Adam at 2e-3, clip 1.0, WSD with 50 warm-up steps decaying over the last 20 %, validation every 250 steps, checkpoints every 500, 5 minutes. */
    public static TrainingPlan defaults() {
        return new TrainingPlan(0, 0, null, OptimizerType.ADAM, 2e-3f, 1.0, ScheduleType.WSD, 50, 0.2, 250, 0, 500);
    }

    public TrainingPlan withTime(Duration time) {
        return new TrainingPlan(steps, epochs, time, optimizer, lr, clip, schedule, warmup, decay, evalEvery, patience, checkpointEvery);
    }

    public TrainingPlan withSteps(long steps) {
        return new TrainingPlan(steps, epochs, time, optimizer, lr, clip, schedule, warmup, decay, evalEvery, patience, checkpointEvery);
    }

    /** A new schedule as planned. */
    public Schedule newSchedule() {
        return schedule.create(warmup, decay);
    }

    /** The trainer's configuration, writing checkpoints to {@code checkpoint} (null: none). */
    public TrainerConfig trainerConfig(Path checkpoint) {
        return new TrainerConfig(steps, epochs, time, lr, clip, evalEvery, checkpointEvery, checkpoint, patience);
    }
}
