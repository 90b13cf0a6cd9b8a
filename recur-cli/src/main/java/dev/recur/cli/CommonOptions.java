package dev.recur.cli;

import dev.recur.kernel.Parallel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every command shares; mixed in with {@code @Mixin}. */
public final class CommonOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads to compute on (default: the RECUR_THREADS variable, else all cores).")
    void threads(int n) {
        if (n < 1) throw new ParameterException(mixee.commandLine(), "--threads must be at least 1, got " + n);
        Parallel.setThreads(n);
    }

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    public long seed;

    @Option(names = "--quiet", description = "Print no progress, only results and errors.")
    public boolean quiet;
}
