package dev.recur.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The trainer options every {@code recur <task> train} shares; mixed in with {@code @Mixin}. */
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
            description = "Wall-clock budget of this process, e.g. 90s, 10m, 1h30m.")
    public Duration time;

    @Option(names = "--lr", paramLabel = "RATE", description = "Base learning rate (default: ${DEFAULT-VALUE}).", defaultValue = "0.002")
    public float lr;

    @Option(names = "--clip", paramLabel = "NORM", description = "Clip the global gradient norm; 0 = off (default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
    public double clip;

    @Option(names = "--out", paramLabel = "MODEL", description = "The model file to write; its folder is created if missing.")
    public Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "500",
            description = "Write MODEL.ckpt every N steps and at the end; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    public long checkpointEvery;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "250",
            description = "Validate every N steps; 0 = never (default: ${DEFAULT-VALUE}).")
    public long evalEvery;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N validations without improvement; 0 = never (default: ${DEFAULT-VALUE}).")
    public int patience;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue from a checkpoint written by an earlier run.")
    public Path resume;

    private long atLeastOne(String option, long n) {
        if (n < 1) throw new ParameterException(mixee.commandLine(), option + " must be at least 1, got " + n);
        return n;
    }

    /** Checks the values whose range the options alone do not enforce, naming the option at fault. */
    public void check() {
        if (!(lr > 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        if (!(clip >= 0) || Double.isInfinite(clip)) throw new IllegalArgumentException("--clip must be ≥ 0 (0 = off), got " + clip);
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be ≥ 0 (0 = only at the end), got " + checkpointEvery);
        if (evalEvery < 0) throw new IllegalArgumentException("--eval-every must be ≥ 0 (0 = never), got " + evalEvery);
        if (patience < 0) throw new IllegalArgumentException("--patience must be ≥ 0 (0 = never stop early), got " + patience);
    }

    /** True when no budget was given. */
    public boolean noBudget() {
        return steps == 0 && epochs == 0 && time == null;
    }
}
