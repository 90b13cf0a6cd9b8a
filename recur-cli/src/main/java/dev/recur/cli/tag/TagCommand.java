package dev.recur.cli.tag;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur tag}: sequence tagging. */
@Command(name = "tag", mixinStandardHelpOptions = true,
        description = "Train a sequence tagger (part of speech, names), evaluate it, tag sentences with it.",
        subcommands = {TagTrainCommand.class, TagEvalCommand.class, TagPredictCommand.class},
        footer = {"%nExamples:",
                "  recur tag train --data brown-pos --time 15m --out pos.safetensors",
                "  recur tag train --data brown-names --time 15m --out names.safetensors",
                "  recur tag eval --model pos.safetensors --data brown-pos --json",
                "  echo \"The jury praised the city of Atlanta .\" | recur tag predict --model pos.safetensors --input -"})
public final class TagCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
