package dev.recur.bench;

import dev.recur.cli.RecurCommands;
import picocli.CommandLine;

/** Registers {@code recur bench} with the command line. */
public final class BenchCommands implements RecurCommands {
    @Override
    public void addTo(CommandLine root) {
        root.addSubcommand("bench", new CommandLine(new BenchCommand()));
    }
}
