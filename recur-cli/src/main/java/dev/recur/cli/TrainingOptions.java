package dev.recur.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The trainer options every {@code recur <task> train} shares; mixed in with {@code @Mixin}. */
public final class TrainingOptions {
    @Option(names = "--steps", paramLabel = "N", description = "Total optimizer steps, counted from the start of the run, across resumes.")
    public long steps;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data.")
    public long epochs;

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
            description = "Validate every N steps (default: ${DEFAULT-VALUE}).")
    public long evalEvery;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N validations without improvement; 0 = never (default: ${DEFAULT-VALUE}).")
    public int patience;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue from a checkpoint written by an earlier run.")
    public Path resume;

    /** True when no budget was given. */
    public boolean noBudget() {
        return steps == 0 && epochs == 0 && time == null;
    }
}
