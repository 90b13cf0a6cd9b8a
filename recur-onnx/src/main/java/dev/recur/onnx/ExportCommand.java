package dev.recur.onnx;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur export}: a model in another format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model in another format: ONNX, for ONNX Runtime and other ONNX runtimes.",
        subcommands = ExportOnnxCommand.class,
        footer = {"%nExamples:",
                "  recur export onnx --model lstm.safetensors --out lstm.onnx",
                "  recur export onnx --model gru.safetensors --out gru.onnx --opset 14 \\",
                "                    --inputs input"})
final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
