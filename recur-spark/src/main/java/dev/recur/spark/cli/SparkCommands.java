package dev.recur.spark.cli;

import dev.recur.cli.RecurCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Registers {@code recur spark} with the command line. */
public final class SparkCommands implements RecurCommands {

    @Override
    public void addTo(CommandLine root) {
        root.addSubcommand("spark", new CommandLine(new SparkCommand()));
    }

    @Command(name = "spark", mixinStandardHelpOptions = true,
            description = "Train any task on an Apache Spark cluster.")
    static final class SparkCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }
}
