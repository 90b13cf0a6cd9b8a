package dev.recur.serve;

import dev.recur.cli.RecurCommands;
import picocli.CommandLine;

/** Registers {@code recur serve} with the command line. */
public final class ServeCommands implements RecurCommands {
    @Override
    public void addTo(CommandLine root) {
        root.addSubcommand("serve", new CommandLine(new ServeCommand()));
    }
}
