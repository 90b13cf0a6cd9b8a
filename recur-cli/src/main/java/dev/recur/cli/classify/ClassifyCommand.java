package dev.recur.cli.classify;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur classify}: text classification. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Train a text classifier (spam, sentiment, topic), evaluate it, label texts with it.",
        subcommands = {ClassifyTrainCommand.class, ClassifyEvalCommand.class, ClassifyPredictCommand.class},
        footer = {"%nExamples:",
                "  recur classify train --data spam --time 10m --out spam.safetensors",
                "  recur classify train --data sentiment --folds 10 --time 2m",
                "  recur classify eval --model spam.safetensors --data spam --plot spam-confusion.png",
                "  echo \"Win a free cruise, reply now\" | recur classify predict --model spam.safetensors --input -"})
public final class ClassifyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
