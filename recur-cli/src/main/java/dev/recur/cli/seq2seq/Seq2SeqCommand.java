package dev.recur.cli.seq2seq;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur seq2seq}: sequence to sequence with attention. */
@Command(name = "seq2seq", mixinStandardHelpOptions = true,
        description = "Train an encoder-decoder with attention (spelling to sound, translation), evaluate it, translate with beam search.",
        subcommands = {Seq2SeqTrainCommand.class, Seq2SeqEvalCommand.class, Seq2SeqTranslateCommand.class},
        footer = {"%nExamples:",
                "  recur seq2seq train --data cmudict --time 30m --out g2p.safetensors",
                "  recur seq2seq train --data bible-es-en --time 45m --out es-en.safetensors",
                "  recur seq2seq eval --model g2p.safetensors --data cmudict --beam 5 --json",
                "  echo PYTHON | recur seq2seq translate --model g2p.safetensors --input - --n-best 3"})
public final class Seq2SeqCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
