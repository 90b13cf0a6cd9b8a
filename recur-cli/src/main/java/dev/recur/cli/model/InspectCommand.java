package dev.recur.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.cli.ExitCodes;
import dev.recur.io.ModelFile;
import dev.recur.io.Checkpoint;
import dev.recur.io.SafeTensors;
import dev.recur.task.Models;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a model file's configuration, tensors and parameter count, and check that it loads.",
        footer = {"%nWorks for any Recur model file: a bare recurrent stack (lstm, gru, rnn), a language model, ...",
                "A training checkpoint shows the model it holds and the trainer's state. The listing comes first, so a file",
                "that does not load still shows what it holds; then the error (exit code 2).",
                "%nExamples:",
                "  recur inspect lstm.safetensors",
                "  recur inspect sotu-lstm.safetensors"})
public final class InspectCommand implements Callable<Integer> {
    /** Longer arrays in the configuration (a vocabulary) show their first elements and their length. */
    private static final int SHOWN = 12;

    @Parameters(paramLabel = "MODEL", description = "A model file (safetensors with recur.config).")
    Path model;

    @Override
    public Integer call() throws IOException {
        SafeTensors contents;
        try {
            contents = SafeTensors.read(model);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(model + ": no such file");
        }
        ModelFile mf = ModelFile.of(model, contents);
        var out = System.out;
        out.println("file: " + model);
        out.println("config:");
        int width = 0;
        for (var it = mf.config().fieldNames(); it.hasNext(); ) width = Math.max(width, it.next().length());
        for (var e : fields(mf.config())) out.printf("  %-" + width + "s  %s%n", e.getKey(), shown(e.getValue()));
        long parameters = 0;
        int nameWidth = mf.tensors().keySet().stream().mapToInt(String::length).max().orElse(0);
        out.printf("tensors (%d):%n", mf.tensors().size());
        for (Map.Entry<String, Tensor> e : mf.tensors().entrySet()) {
            out.printf("  %-" + nameWidth + "s  %-14s %-5s %,d%n", e.getKey(), e.getValue().shapeString(), contents.dtypes().getOrDefault(e.getKey(), "F32"),
                    e.getValue().size());
            parameters += e.getValue().size();
        }
        out.printf("parameters: %,d%n", parameters);
        if (mf.quantization() != null) {
            var q = mf.quantization();
            long stored = q.weights().values().stream().mapToLong(w -> w.bytes()).sum();
            long floats = q.weights().values().stream().mapToLong(w -> 4L * w.rows() * w.cols()).sum();
            out.printf("quantization: %s (%s), %d weight matrices in %,d bytes (float32: %,d); file %,d bytes%n", q.type().option(),
                    q.configJson().get("scheme").asText(), q.weights().size(), stored, floats, java.nio.file.Files.size(model));
        }
        out.flush();
        Models.Opened opened = Models.open(model);
        if (opened.checkpoint()) {
            out.println("checkpoint: " + Checkpoint.read(model).trainer() + "; continue it with `" + opened.kind().command()
                    + " train --resume " + model + "`");
        }
        out.println("model: " + opened.model());
        return ExitCodes.OK;
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode config) {
        var all = new ArrayList<Map.Entry<String, JsonNode>>();
        config.fields().forEachRemaining(all::add);
        return all;
    }

    private static String shown(JsonNode v) {
        if (v.isObject()) {
            var sb = new StringBuilder("{");
            v.fields().forEachRemaining(e -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(e.getKey()).append("\": ").append(shown(e.getValue())));
            return sb.append('}').toString();
        }
        if (!v.isArray() || v.size() <= SHOWN) return v.toString();
        var sb = new StringBuilder("[");
        for (int i = 0; i < SHOWN; i++) sb.append(i > 0 ? ", " : "").append(v.get(i));
        return sb.append(", ... (").append(v.size()).append(" in all)]").toString();
    }
}
