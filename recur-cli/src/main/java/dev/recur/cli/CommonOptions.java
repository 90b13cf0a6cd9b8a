package dev.recur.cli;

import dev.recur.kernel.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options the commands that compute share; mixed in with {@code @Mixin}. {@code --threads} and {@code --stacktrace}
 * are also accepted before the verb ({@link Recur}): {@code recur --threads 1 lm train}.
 */
public final class CommonOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads to compute on (default: the RECUR_THREADS variable, else all cores).")
    void threads(int n) {
        setThreads(mixee.commandLine(), n);
    }

    static void setThreads(CommandLine command, int n) {
        if (n < 1) throw new ParameterException(command, "--threads must be at least 1, got " + n);
        Parallel.setThreads(n);
    }

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    public long seed;

    @Option(names = "--quiet", description = "Print no progress, only results and errors.")
    public boolean quiet;
}
