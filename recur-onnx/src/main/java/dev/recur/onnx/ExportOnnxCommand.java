package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.recur.cli.ExitCodes;
import dev.recur.task.Models;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code recur export onnx}: a model file as an ONNX graph ({@link RecurrentExport}, {@link TaskExport}). */
@Command(name = "onnx", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write a recurrent stack or a task model (lm, classifier, tagger, seq2seq, forecaster, anomaly detector) as ONNX.",
        footer = {"%nThe graph takes and gives what `recur encode` does, T and B dynamic:",
                "  inputs   input [T, B, F] ([B, T, F] if batch_first), lengths int64 [B],",
                "           h0 [L·D, B, H], c0 [L·D, B, H] (lstm)",
                "  outputs  output [T, B, D·H] ([B, T, D·H] if batch_first),",
                "           h_n [L·D, B, H], c_n [L·D, B, H] (lstm)",
                "Outputs past a sequence's length are zeros; h_n and c_n are each",
                "sequence's state after its own last step. Feed full lengths and zero",
                "states when there are none, or export with --inputs input.",
                "An LSTM with projection (proj_size > 0) has no ONNX operator.",
                "Language models, classifiers and taggers take tokens int64 [T, B] and",
                "lengths; their inputs and outputs are listed in docs/onnx.md.",
                "A sequence-to-sequence model writes two files: --out g2p.onnx writes",
                "g2p.encoder.onnx and g2p.decoder.onnx (one decoder step). A forecaster",
                "exports its network: steps and known -> params (direct), or a step",
                "graph input, h0, c0 -> params, h_n, c_n (autoregressive). An anomaly",
                "detector: its forecaster's network, or windows -> reconstruction.",
                "%nExamples:",
                "  recur export onnx --model lstm.safetensors --out lstm.onnx",
                "  recur export onnx --model gru.safetensors --out gru.onnx --opset 14 \\",
                "                    --inputs input"})
final class ExportOnnxCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "MODEL", required = true,
            description = "A model file: an lstm, gru or rnn stack, a language model, classifier, tagger, seq2seq model, forecaster or anomaly detector.")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The ONNX file to write, e.g. lstm.onnx.")
    Path out;

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxGraph.DEFAULT_OPSET,
            description = "ONNX opset, " + OnnxGraph.MIN_OPSET + " to " + OnnxGraph.MAX_OPSET + " (default: ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--inputs", paramLabel = "WHICH", defaultValue = "all",
            description = "all: input, lengths, h0 and c0 (lstm); input: input alone (tokens alone for a language model), full lengths and zero state "
                    + "(default: ${DEFAULT-VALUE}).")
    RecurrentExport.Inputs inputs;

    @Override
    public Integer call() throws IOException {
        OnnxGraph.checkOpset(opset);
        Models.Opened opened;
        try {
            opened = Models.open(model);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(model + ": no such file");
        }
        // A sequence-to-sequence model writes two files beside --out: M.encoder.onnx and M.decoder.onnx.
        var files = OnnxExport.files(opened, out, inputs, opset);
        for (var file : files.entrySet()) {
            ModelProto onnx = file.getValue();
            OnnxExport.write(file.getKey(), onnx);
            System.err.printf("wrote %s: opset %d, inputs %s, outputs %s%n", file.getKey(), opset, names(onnx.getGraph().getInputList()),
                    names(onnx.getGraph().getOutputList()));
        }
        return ExitCodes.OK;
    }

    private static String names(java.util.List<ValueInfoProto> values) {
        return values.stream().map(ValueInfoProto::getName).collect(Collectors.joining(", "));
    }
}
