package dev.recur.cli.lm;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur lm}: language modelling and text generation. */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = "Train a language model on text, generate from it, evaluate it.",
        subcommands = {LmTrainCommand.class, LmGenerateCommand.class, LmEvalCommand.class},
        footer = {"%nExamples:",
                "  recur lm train                                   a char-LSTM on the State of the Union addresses, a few minutes",
                "  recur lm train --data moby-dick --time 30m --out moby.safetensors",
                "  recur lm generate --model lm.safetensors --prompt \"My fellow\" --temperature 0.8",
                "  recur lm eval --model moby.safetensors --data moby-dick --json"})
public final class LmCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
