package dev.recur.spark.cli;

import dev.recur.cli.CommonOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.spark.RemoteFiles;
import dev.recur.spark.SparkTraining;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingListener;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The options {@code recur spark TASK train} adds to {@code recur TASK train}, and the runner that trains on Spark
 * in place of this machine.
 */
public final class SparkOptions implements TrainingOptions.Runner {
    private final String task;
    CommandLine command;
    final RemoteFiles remote = new RemoteFiles();

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N] (N threads in this JVM), local-cluster[N,C,MB] (N executor JVMs of C cores and MB MiB), "
                    + "spark://HOST:7077, yarn, k8s://... (default: spark-submit's, else local[2]).")
    String master;

    @Option(names = "--workers", paramLabel = "N", description = "Workers the batch is dealt to (default: the cluster's task slots).")
    Integer workers;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "sync",
            description = "sync (the gradient of the global batch every step: the same computation as one machine), average (every "
                    + "worker trains --local-steps steps, then weights and optimizer state are averaged) or fedavg (federated averaging: "
                    + "--clients-per-round workers train --local-steps steps from the global weights with a fresh optimizer, weights "
                    + "averaged by their examples) (default: ${DEFAULT-VALUE}).")
    SparkTraining.Mode mode;

    @Option(names = "--local-steps", paramLabel = "K", defaultValue = "10",
            description = "average and fedavg: local steps per round (default: ${DEFAULT-VALUE}).")
    int localSteps;

    @Option(names = "--clients-per-round", paramLabel = "C", description = "fedavg: workers drawn to take part in each round (default: all).")
    Integer clientsPerRound;

    @Option(names = "--reduce", paramLabel = "driver|tree", defaultValue = "driver",
            description = "sync: sum the gradients on the driver in worker order (reproducible), or with Spark's treeAggregate "
                    + "(default: ${DEFAULT-VALUE}).")
    SparkTraining.Reduce reduce;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "A Spark setting, e.g. spark.executor.memory=4g; repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    SparkOptions(String task) {
        this.task = task;
    }

    @Override
    public TrainingRecipe.Outcome run(TrainingTask trained, TrainingPlan plan, RunFiles files, Path resume, List<TrainingListener> listeners)
            throws IOException {
        CommonOptions common = mixin(command, CommonOptions.class);
        String url = master != null ? master : System.getProperty("spark.master", "local[2]");
        var settings = new SparkTraining.Settings(url, workers, mode, localSteps, clientsPerRound, reduce, conf, common.quiet);
        var outcome = SparkTraining.run(settings, task, workerArgs(command, remote), common.seed, batch(command), trained, plan, files, resume,
                listeners);
        remote.upload();
        return outcome;
    }

    /** The command's global batch (--batch), 0 when it has none. */
    static int batch(CommandLine command) {
        OptionSpec batch = command.getCommandSpec().findOption("--batch");
        return batch != null && batch.getValue() instanceof Integer b ? b : 0;
    }

    /**
     * The arguments the command was given, for the workers to rebuild the task from: every option as parsed, with
     * relative paths of files that exist here made absolute (executors run in directories of their own), and files
     * named by URI named so again (each worker makes its own local copy).
     */
    static List<String> workerArgs(CommandLine command, RemoteFiles remote) {
        var args = new ArrayList<String>();
        for (OptionSpec option : command.getParseResult().matchedOptions()) {
            if (option.usageHelp() || option.versionHelp()) continue;
            String name = option.longestName();
            if (option.arity().max() == 0) {
                args.add(name);
                continue;
            }
            for (String value : option.originalStringValues()) {
                args.add(name);
                args.add(RemoteFiles.isUri(remote.original(value)) ? remote.original(value) : absolute(value));
            }
        }
        return args;
    }

    private static String absolute(String value) {
        try {
            Path p = Path.of(value);
            return !p.isAbsolute() && Files.exists(p) ? p.toAbsolutePath().normalize().toString() : value;
        } catch (InvalidPathException e) {
            return value;
        }
    }

    public static <T> T mixin(CommandLine command, Class<T> type) {
        for (var spec : command.getCommandSpec().mixins().values()) {
            if (type.isInstance(spec.userObject())) return type.cast(spec.userObject());
        }
        throw new IllegalStateException(command.getCommandName() + " has no " + type.getSimpleName());
    }
}
