package dev.recur.onnx;

import dev.recur.cli.RecurCommands;
import picocli.CommandLine;

/** Registers {@code recur export onnx} and {@code recur import onnx} with the command line. */
public final class OnnxCommands implements RecurCommands {
    @Override
    public void addTo(CommandLine root) {
        root.addSubcommand("export", new CommandLine(new ExportCommand()));
        root.addSubcommand("import", new CommandLine(new ImportCommand()));
    }
}
