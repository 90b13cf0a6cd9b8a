package dev.recur.cli.model;

import dev.recur.cli.ExitCodes;
import dev.recur.io.ModelFile;
import dev.recur.io.Quantization;
import dev.recur.task.Models;
import dev.recur.tensor.InvalidInputException;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Store a model's weight matrices in int8 or bfloat16, for inference: a file about 4× or 2× smaller.",
        footer = {"%nint8: one symmetric scale per output row (per gate row) of every weight matrix of a product (recurrent,",
                "input, projection, attention, heads and decoders); bf16: each weight rounded to the nearest bfloat16. Biases,",
                "norms, embeddings and CRF scores stay float32. Any task's model file (or a checkpoint's model) can be",
                "quantized; every command that runs a model reads the result, and training refuses it.",
                "%nExamples:",
                "  recur quantize --model moby.safetensors --dtype int8 --out moby-int8.safetensors",
                "  recur quantize --model g2p.safetensors --dtype bf16 --out g2p-bf16.safetensors"})
public final class QuantizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A float32 model file or checkpoint.")
    Path model;

    @Option(names = "--dtype", required = true, paramLabel = "int8|bf16", converter = TypeOption.class, description = "int8 or bf16.")
    QuantizedWeights.Type type;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The quantized model file to write.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!Files.exists(model)) throw new NoSuchFileException(model + ": no such file");
        Models.Opened opened = Models.open(model);
        var already = Quantization.of(opened.model());
        if (already != null) throw new InvalidInputException(model + ": the model is already quantized (" + already.option() + "); quantize its float32 file");
        var originals = new LinkedHashMap<String, Tensor>();
        opened.model().namedProductWeights().forEach((name, p) -> originals.put(name, p.value().copy()));
        if (originals.isEmpty()) throw new InvalidInputException(model + ": this model has no weight matrices to quantize");
        Quantization quantization = Quantization.quantize(opened.model(), type);
        double worst = 0;
        for (var e : quantization.weights().entrySet()) worst = Math.max(worst, relativeError(originals.get(e.getKey()), e.getValue()));
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ModelFile(null, opened.config(), opened.model().stateDict(), quantization).write(out);
        long before = Files.size(model), after = Files.size(out);
        System.err.printf("wrote %s: %d weight matrices in %s, %,d → %,d bytes (%.2f× smaller); largest error %.3g of a row's largest weight%n",
                out, quantization.weights().size(), type.option(), before, after, before / (double) after, worst);
        return ExitCodes.OK;
    }

    /** The largest |w − dequantized| over the largest |w| of its row. */
    private static double relativeError(Tensor w, QuantizedWeights q) {
        float[] v = w.toArray(), d = q.dequantize();
        double worst = 0;
        for (int r = 0; r < q.rows(); r++) {
            double max = 0, err = 0;
            for (int c = 0; c < q.cols(); c++) {
                max = Math.max(max, Math.abs(v[r * q.cols() + c]));
                err = Math.max(err, Math.abs(v[r * q.cols() + c] - d[r * q.cols() + c]));
            }
            if (max > 0) worst = Math.max(worst, err / max);
        }
        return worst;
    }

    /** --dtype: int8 or bf16, a one-line error otherwise. */
    static final class TypeOption implements ITypeConverter<QuantizedWeights.Type> {
        @Override
        public QuantizedWeights.Type convert(String value) {
            try {
                return QuantizedWeights.Type.of(value);
            } catch (InvalidInputException e) {
                throw new picocli.CommandLine.TypeConversionException("--dtype must be int8 or bf16, got \"" + value + "\"");
            }
        }
    }
}
