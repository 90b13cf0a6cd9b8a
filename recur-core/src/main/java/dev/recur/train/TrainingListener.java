package dev.recur.train;

import java.nio.file.Path;

/** Watches training: progress bars, metrics logs, sample printers. Every method has an empty default. */
public interface TrainingListener {

    /** Training starts (or resumes) at {@code firstStep}; {@code totalSteps} is -1 when only time bounds it. */
    default void started(long firstStep, long totalSteps) {}

    default void stepped(StepReport report) {}

    /** A validation result; {@code best} tells whether its primary metric is the best so far. */
    default void evaluated(long step, Metrics metrics, boolean best) {}

    /** A checkpoint was written. */
    default void checkpointed(long step, Path file) {}

    default void finished(Trainer.Result result) {}

    /**
     * One optimizer step.
     *
     * @param step           steps done, from 1
     * @param epoch          pass over the data, from 0
     * @param loss           this batch's mean loss
     * @param lr             learning rate used
     * @param gradNorm       global gradient norm before clipping
     * @param itemsPerSecond tokens or sequences per second over the recent steps
     * @param seconds        seconds since this process started training
     */
    record StepReport(long step, long epoch, double loss, double lr, double gradNorm, double itemsPerSecond, double seconds) {}
}
