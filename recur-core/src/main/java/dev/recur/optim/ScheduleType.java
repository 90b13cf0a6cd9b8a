package dev.recur.optim;

import static dev.recur.tensor.InvalidOptionException.check;

/**
 * The learning-rate schedules a training plan can name. The budget schedules anneal within whatever budget the run
 * has (steps, epochs or time), to {@value #FLOOR} of the base rate.
 */
public enum ScheduleType {
    /** Warm-up, the full rate, then a linear decay over the last {@code decay} fraction of the budget ({@link Schedule#stableDecay}). */
    WSD,
    /** Warm-up, then a cosine decay over the whole budget ({@link Schedule#cosineOverBudget}). */
    COSINE,
    /** Halve the rate after 2 validations without a 0.1 % improvement, down to 1 % of the base rate ({@link Plateau}). */
    PLATEAU,
    /** The base rate throughout. */
    CONSTANT;

    /** The rate at the end of a budget schedule, as a fraction of the base rate. */
    public static final double FLOOR = 0.05;

    /**
     * A new schedule of this type.
     *
     * @param warmup steps of linear warm-up (budget schedules), e.g. 50
     * @param decay  fraction of the budget over which {@link #WSD} decays, in (0, 1], e.g. 0.2
     */
    public Schedule create(long warmup, double decay) {
        check(warmup >= 0, "warmup must be ≥ 0 steps, got %d", warmup);
        return switch (this) {
            case WSD -> {
                check(decay > 0 && decay <= 1, "decay must be in (0, 1], got %s", decay);
                yield Schedule.stableDecay(warmup, decay, FLOOR);
            }
            case COSINE -> Schedule.cosineOverBudget(warmup, FLOOR);
            case PLATEAU -> new Plateau(0.5, 2, 1e-3, 0, 0.01);
            case CONSTANT -> Schedule.constant();
        };
    }
}
