package dev.recur.cli;

import dev.recur.train.Metrics;
import dev.recur.train.Trainer;
import dev.recur.train.TrainingListener;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr while training: steps (or seconds of a time budget), the loss, throughput and
 * validation results, with an ETA.
 */
public final class TrainingProgress implements TrainingListener {
    private final String unit;
    private final Duration time;
    private final double scale;
    private ProgressBar bar;
    private long total;
    private String validation = "";

    /**
     * {@code unit} names what the task counts, e.g. "tok"; {@code time} is the time budget, if any; losses are
     * shown multiplied by {@code scale} (1/ln 2 shows nats as bits).
     */
    public TrainingProgress(String unit, Duration time, double scale) {
        this.unit = unit;
        this.time = time;
        this.scale = scale;
    }

    @Override
    public void started(long firstStep, long totalSteps) {
        boolean byTime = totalSteps < 0 && time != null;
        total = byTime ? time.toSeconds() : totalSteps;
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).setMaxRenderedLength(120).setUnit(byTime ? " s" : " steps", 1)
                .continuousUpdate().build();
        if (!byTime) bar.stepTo(firstStep);
    }

    @Override
    public void stepped(StepReport r) {
        if (time != null && total == time.toSeconds()) bar.stepTo(Math.min(total, (long) r.seconds()));
        else bar.stepTo(r.step());
        bar.setExtraMessage(String.format("step %d  loss %.3f  %,.0f %s/s%s", r.step(), r.loss() * scale, r.itemsPerSecond(), unit, validation));
    }

    @Override
    public void evaluated(long step, Metrics metrics, boolean best) {
        validation = String.format("  valid %.3f%s", metrics.value() * scale, best ? "*" : "");
    }

    /** Prints a line of its own on stderr above the bar (the bar redraws below it on its next update). */
    public synchronized void note(String line) {
        System.err.print("\r" + " ".repeat(120) + "\r" + line + System.lineSeparator());
        System.err.flush();
    }

    @Override
    public void finished(Trainer.Result result) {
        close();
    }

    /** Ends the bar (also on failure), so later messages start on a fresh line. */
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
