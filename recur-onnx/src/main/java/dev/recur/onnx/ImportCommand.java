package dev.recur.onnx;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur import}: a model from another format. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Read a model from another format: ONNX recurrent stacks.",
        subcommands = ImportOnnxCommand.class,
        footer = {"%nExample:",
                "  recur import onnx --model lstm.onnx --out lstm.safetensors"})
final class ImportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
