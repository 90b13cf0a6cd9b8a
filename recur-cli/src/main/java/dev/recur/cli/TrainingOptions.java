package dev.recur.cli;

import dev.recur.optim.OptimizerType;
import dev.recur.optim.ScheduleType;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.train.Metrics;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingListener;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every {@code recur TASK train} shares, and the run they describe: a task's command parses its own
 * options, builds its model and {@link TrainingTask}, and calls {@link #train}. Mixed in with {@code @Mixin}.
 */
public final class TrainingOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** 0 when not given. */
    public long steps, epochs;

    @Option(names = "--steps", paramLabel = "N", description = "Total optimizer steps, counted from the start of the run, across resumes.")
    void steps(long n) {
        steps = atLeastOne("--steps", n);
    }

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data.")
    void epochs(long n) {
        epochs = atLeastOne("--epochs", n);
    }

    @Option(names = "--time", paramLabel = "DURATION", converter = Durations.class,
            description = "Wall-clock budget of this process, e.g. 90s, 10m, 1h30m (default without --steps or --epochs: 5m).")
    public Duration time;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "adam, adamw (weight decay 0.01), sgd or rmsprop (default: ${DEFAULT-VALUE}).")
    public OptimizerType optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "Base learning rate (default: ${DEFAULT-VALUE}).", defaultValue = "0.002")
    public float lr;

    @Option(names = "--clip", paramLabel = "NORM", description = "Clip the global gradient norm; 0 = off (default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
    public double clip;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "wsd",
            description = "wsd (warm-up, the full rate, then a linear decay to 5%% of --lr over the last --decay of the budget -- "
                    + "steps, epochs or time), cosine (warm-up, then cosine decay to 5%% over the whole budget), plateau (halve "
                    + "the rate when validation stalls) or constant (default: ${DEFAULT-VALUE}).")
    public ScheduleType schedule;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "50",
            description = "Steps of linear warm-up for wsd and cosine (default: ${DEFAULT-VALUE}).")
    public long warmup;

    @Option(names = "--decay", paramLabel = "F",
            description = "With --schedule wsd: the fraction of the budget over which the rate decays, in (0, 1] (default: 0.2; "
                    + "recur seq2seq train: 0.5).")
    public Double decay;

    /** --decay when it is not given: 0.2, or what the task's command sets with {@link #decayByDefault}. */
    private double defaultDecay = 0.2;

    /** The task's own default for --decay (a user's --decay still wins). */
    public void decayByDefault(double fraction) {
        defaultDecay = fraction;
    }

    @Option(names = "--out", paramLabel = "MODEL", description = "The model file to write; its folder is created if missing.")
    public Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "500",
            description = "Write MODEL.ckpt every N steps and at the end; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    public long checkpointEvery;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "250",
            description = "Validate every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    public long evalEvery;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N validations without improvement; 0 = never (default: ${DEFAULT-VALUE}).")
    public int patience;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue from a checkpoint written by an earlier run.")
    public Path resume;

    /**
     * Runs a training: {@link TrainingRecipe#run} on this machine unless the command carries another runner, as a
     * mixin (recur spark's options) or through {@link #runWith}.
     */
    @FunctionalInterface
    public interface Runner {
        TrainingRecipe.Outcome run(TrainingTask task, TrainingPlan plan, RunFiles files, Path resume, List<TrainingListener> listeners)
                throws IOException;
    }

    private Runner runner;

    /** Trains with {@code runner} instead of {@link TrainingRecipe#run}. */
    public void runWith(Runner runner) {
        this.runner = runner;
    }

    private Runner runner() {
        if (runner != null) return runner;
        for (CommandSpec mixin : mixee.mixins().values()) {
            if (mixin.userObject() instanceof Runner r) return r;
        }
        return TrainingRecipe::run;
    }

    /** How a task's run is shown: what it counts, how its loss reads, its plot's title, a sample after each validation. */
    public record Display(String unit, double scale, String axis, String title, Function<Metrics, String> describe,
                          LongFunction<String> sample) {
        /** Counting {@code unit}s, metrics shown as they are, no samples. */
        public static Display of(String unit, String axis, String title) {
            return new Display(unit, 1, axis, title, Metrics::toString, step -> null);
        }
    }

    /** The plan these options describe; a value out of range names its option. Call it before reading data. */
    public TrainingPlan plan() {
        try {
            return new TrainingPlan(steps, epochs, time, optimizer, lr, clip, schedule, warmup, decay != null ? decay : defaultDecay, evalEvery,
                    patience, checkpointEvery);
        } catch (InvalidOptionException e) {
            throw new InvalidOptionException("--" + e.getMessage());   // the plan's fields are named as the options
        }
    }

    /** The run's files: --out, or {@code defaultName} in the working directory; checked to be writable. */
    public RunFiles files(String defaultName) throws IOException {
        try {
            return RunFiles.of(out, defaultName).prepare();
        } catch (InvalidOptionException e) {
            throw new InvalidOptionException("--out " + e.getMessage());
        }
    }

    /**
     * Trains {@code task} with a progress bar, a line after each validation and the loss plot (none of them when
     * {@code quiet}); prints where everything went and the validation and test results.
     */
    public TrainingRecipe.Outcome train(TrainingTask task, RunFiles files, Display display, boolean quiet) throws IOException {
        TrainingPlan plan = plan();
        var progress = new TrainingProgress(display.unit(), plan.time(), display.scale());
        var plot = new LossPlot(display.axis());
        var listeners = new ArrayList<TrainingListener>(List.of(plot));
        if (!quiet) listeners.addAll(List.of(progress, new TrainingListener() {
            @Override
            public void evaluated(long step, Metrics metrics, boolean best) {
                String sample = display.sample().apply(step);
                progress.note(String.format("step %,d: validation %s%s%s", step, display.describe().apply(metrics), best ? " (best)" : "",
                        sample == null ? "" : " | " + sample.replaceAll("\\s+", " ").strip()));
            }
        }));
        TrainingRecipe.Outcome outcome;
        try {
            outcome = runner().run(task, plan, files, resume, listeners);
        } finally {
            progress.close();
        }
        plot.write(files.plot(), display.title(), display.scale());
        if (!quiet) {
            var r = outcome.result();
            System.err.printf("wrote %s after %,d steps in %.0f s: validation %s%s%n", files.model(), r.steps(), r.seconds(),
                    r.best() == null ? "not run" : display.describe().apply(r.best()),
                    outcome.test().map(m -> ", test " + display.describe().apply(m)).orElse(""));
            System.err.printf("loss curve %s, metrics %s, checkpoint %s%n", files.plot(), files.metrics(), files.checkpoint());
        }
        return outcome;
    }

    private long atLeastOne(String option, long n) {
        if (n < 1) throw new ParameterException(mixee.commandLine(), option + " must be at least 1, got " + n);
        return n;
    }
}
