package dev.recur.cli.model;

import dev.recur.data.InvalidDataException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.cli.CommonOptions;
import dev.recur.cli.ExitCodes;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a stored RNN, LSTM or GRU stack on sequences given as JSON; print its outputs and final state as JSON.",
        footer = {"%nThe input is one JSON object; only \"input\" is required:",
                "  {\"input\": [T][B][F] numbers ([B][T][F] for a batch_first model),",
                "   \"h0\": [L·D][B][P], \"c0\": [L·D][B][H] (lstm), \"lengths\": [B]}",
                "The output has the same nesting:",
                "  {\"output\": [T][B][D·P], \"h_n\": [L·D][B][P], \"c_n\": [L·D][B][H] (lstm)}",
                "Outputs past a sequence's length are zeros; h_n and c_n are each sequence's state after its own last step.",
                "A PyTorch nn.RNN/LSTM/GRU saved as in docs/pytorch.md runs unchanged.",
                "%nExamples:",
                "  recur encode --model lstm.safetensors --input x.json > y.json",
                "  echo '{\"input\": [[[0.5, -1, 2]]]}' | recur encode --model m.safetensors --input -"})
public final class EncodeCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @Option(names = "--model", paramLabel = "MODEL", required = true,
            description = "A recurrent stack: a model file with recur.config type lstm, gru or rnn.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE|-", required = true, description = "The input JSON, or - for standard input.")
    String input;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws IOException {
        Recurrent rnn;
        try {
            rnn = RecurrentModelFile.read(model);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(model + ": no such file");
        }
        String source = input.equals("-") ? "stdin" : input;
        EncodeInput in = EncodeInput.parse(source, readJson(source), rnn.config());
        RecurrentOutput out;
        try (var off = Tape.noGrad()) {
            out = rnn.forward(Variable.of(in.input()), in.lengths(), in.initial());
        }
        ObjectNode result = JSON.createObjectNode();
        result.set("output", NestedArrays.write(out.output().value()));
        result.set("h_n", NestedArrays.write(out.h().value()));
        if (out.c() != null) result.set("c_n", NestedArrays.write(out.c().value()));
        System.out.println(JSON.writeValueAsString(result));
        return ExitCodes.OK;
    }

    private JsonNode readJson(String source) throws IOException {
        try (InputStream in = input.equals("-") ? System.in : Files.newInputStream(Path.of(input))) {
            return JSON.readTree(in);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(source + ": no such file");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new InvalidDataException(source + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": not valid JSON: " + cut(e.getOriginalMessage(), " (start marker at"), e);
        }
    }

    /** {@code s} up to {@code marker}: Jackson appends the parser's source and position, which say nothing here. */
    private static String cut(String s, String marker) {
        int i = s.indexOf(marker);
        return i < 0 ? s : s.substring(0, i);
    }
}
