package dev.recur.spark.cli;

import dev.recur.cli.Recur;
import dev.recur.cli.RecurCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Registers {@code recur spark}: for every command with a {@code train} subcommand (lm, classify, tag, ...), a
 * {@code recur spark TASK train} taking the same options plus Spark's ({@link SparkOptions}); tasks added later join
 * by themselves.
 */
public final class SparkCommands implements RecurCommands {
    @Override
    public void addTo(CommandLine root) {
        var spark = new CommandLine(new SparkCommand());
        for (var entry : root.getSubcommands().entrySet()) {
            CommandLine train = entry.getValue().getSubcommands().get("train");
            if (train == null || entry.getKey().equals("spark")) continue;
            var group = CommandSpec.forAnnotatedObject(new TaskCommand());
            group.name(entry.getKey());
            group.usageMessage().description("Train " + entry.getKey() + " models on Spark.");
            var groupLine = new CommandLine(group);
            groupLine.addSubcommand("train", trainCommand(train, entry.getKey()));
            spark.addSubcommand(entry.getKey(), groupLine);
        }
        root.addSubcommand("spark", spark);
    }

    /** {@code spark TASK train}: a new instance of {@code train}'s command with the Spark options mixed in. */
    private static CommandLine trainCommand(CommandLine train, String task) {
        Object command;
        try {
            command = CommandLine.defaultFactory().create(train.getCommand().getClass());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + train.getCommand().getClass().getName(), e);
        }
        CommandSpec spec = CommandSpec.forAnnotatedObject(command);
        var options = new SparkOptions(task);
        spec.addMixin("spark", CommandSpec.forAnnotatedObject(options));
        spec.preprocessor((args, commandSpec, argSpec, info) -> {   // hdfs://, s3a://, ... arguments become local copies
            var inOrder = new java.util.ArrayList<>(args);
            java.util.Collections.reverse(inOrder);   // the stack's top is the next argument
            options.remote.localize(inOrder);
            java.util.Collections.reverse(inOrder);
            for (int i = 0; i < inOrder.size(); i++) args.set(i, inOrder.get(i));
            return false;
        });
        spec.usageMessage()
                .description("Train " + task + " models on a Spark cluster: every option of 'recur " + task + " train', plus where and how to distribute.")
                .footer("%nExamples:",
                        "  recur spark " + task + " train --master local[2] --steps 200",
                        "  recur spark " + task + " train --master local-cluster[2,1,2048] --workers 2 --batch 64",
                        "  recur spark " + task + " train --mode fedavg --local-steps 20 --clients-per-round 4 --workers 8",
                        "  spark-submit --class dev.recur.spark.cli.Submit recur-spark.jar " + task + " train --data hdfs:///corpus.txt",
                        "%n--batch is the global batch, dealt to the workers in order: the same options are the same",
                        "computation on one machine and on many (--mode sync). See docs/distributed.md.");
        var line = new CommandLine(spec);
        options.command = line;
        return line;
    }

    /** A fresh {@code recur spark TASK train} command with {@code args} parsed, as a worker rebuilds it. */
    public static CommandLine trainCommand(String task, java.util.List<String> args) {
        CommandLine root = Recur.commandLine();
        CommandLine spark = root.getSubcommands().get("spark");
        CommandLine group = spark == null ? null : spark.getSubcommands().get(task);
        if (group == null) throw new IllegalStateException("recur spark has no task " + task);
        var all = new java.util.ArrayList<>(java.util.List.of("spark", task, "train"));
        all.addAll(args);
        root.parseArgs(all.toArray(String[]::new));   // from the root: picocli parses a subcommand only within its parents
        return group.getSubcommands().get("train");
    }

    @Command(name = "spark", mixinStandardHelpOptions = true,
            description = "Train any task on an Apache Spark cluster.",
            footer = {"%nrecur spark TASK train takes every option of recur TASK train, plus --master, --workers and --mode.",
                    "%nExamples:",
                    "  recur spark lm train --master local[2] --data moby-dick --steps 200",
                    "  recur spark classify train --master local-cluster[2,1,2048] --data spam --time 10m",
                    "  spark-submit --class dev.recur.spark.cli.Submit recur-spark.jar lm train --data hdfs:///corpus.txt"})
    static final class SparkCommand implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }

    @Command(mixinStandardHelpOptions = true)
    static final class TaskCommand implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }
}
