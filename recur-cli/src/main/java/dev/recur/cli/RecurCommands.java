package dev.recur.cli;

import picocli.CommandLine;

/**
 * Adds top-level commands to {@code recur}; modules that depend on the command line (benchmarks, server)
 * register one under {@code META-INF/services/dev.recur.cli.RecurCommands}.
 */
public interface RecurCommands {

    /** Adds this module's commands to the root command. */
    void addTo(CommandLine root);
}
