package dev.recur.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.CliRun;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur quantize}, and the commands that run models on its files. */
class QuantizeCommandTest {
    @TempDir
    static Path dir;
    static Path lm;

    @BeforeAll
    static void aSmallLanguageModel() {
        System.setProperty("recur.home", "..");
        lm = dir.resolve("lm.safetensors");
        var r = CliRun.run("", "lm", "train", "--data", "names", "--hidden", "64", "--embed", "16", "--steps", "30", "--eval-every", "0",
                "--sample-length", "0", "--quiet", "--threads", "1", "--out", lm.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static CliRun.Result run(String... args) {
        return CliRun.run("", args);
    }

    @Test
    void quantizedLanguageModelsAreSmallerAndEvaluateAndGenerateAsTheFloatOne() throws Exception {
        var json = new ObjectMapper();
        double bits = json.readTree(run("lm", "eval", "--model", lm.toString(), "--data", "names", "--json").out()).get("bits_per_char").asDouble();
        for (String dtype : List.of("int8", "bf16")) {
            Path q = dir.resolve("lm-" + dtype + ".safetensors");
            var r = run("quantize", "--model", lm.toString(), "--dtype", dtype, "--out", q.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).contains("5 weight matrices in " + dtype);
            double ratio = Files.size(lm) / (double) Files.size(q);
            assertThat(ratio).as(dtype + " size ratio").isGreaterThan(dtype.equals("int8") ? 3.0 : 1.8);

            var inspect = run("inspect", q.toString());
            assertThat(inspect.code()).as(inspect.err()).isZero();
            assertThat(inspect.out()).contains("quantization: " + dtype).contains(dtype.equals("int8") ? "I8" : "BF16");

            var eval = run("lm", "eval", "--model", q.toString(), "--data", "names", "--json");
            assertThat(eval.code()).as(eval.err()).isZero();
            double quantized = json.readTree(eval.out()).get("bits_per_char").asDouble();
            assertThat(Math.abs(quantized - bits)).as(dtype + ": bits per char %s against %s", quantized, bits).isLessThan(0.05);

            var generate = run("lm", "generate", "--model", q.toString(), "--length", "40", "--seed", "3");
            assertThat(generate.code()).as(generate.err()).isZero();
            assertThat(generate.out().strip()).isNotEmpty();
        }
    }

    @Test
    void quantizedFilesAreForInferenceOnly() {
        Path q = dir.resolve("once.safetensors");
        assertThat(run("quantize", "--model", lm.toString(), "--dtype", "int8", "--out", q.toString()).code()).isZero();

        var again = run("quantize", "--model", q.toString(), "--dtype", "bf16", "--out", dir.resolve("twice.safetensors").toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("the model is already quantized (int8); quantize its float32 file");

        var train = run("lm", "train", "--data", "names", "--resume", q.toString(), "--steps", "40", "--quiet", "--out", dir.resolve("t.safetensors").toString());
        assertThat(train.code()).isEqualTo(2);
        assertThat(train.err()).contains("quantized files are for inference; train or --resume from the float32 model they were made from");

        var dtype = run("quantize", "--model", lm.toString(), "--dtype", "fp16", "--out", dir.resolve("x.safetensors").toString());
        assertThat(dtype.code()).isEqualTo(2);
        assertThat(dtype.err()).contains("--dtype must be int8 or bf16, got \"fp16\"");
    }

    @Test
    void aQuantizedStackEncodesCloseToTheFloatOne() throws Exception {
        Path stack = dir.resolve("lstm.safetensors");
        RecurrentModelFile.write(stack, Recurrent.of(RecurrentConfig.lstm(3, 16), new Rng(5)));
        Path q = dir.resolve("lstm-int8.safetensors");
        assertThat(run("quantize", "--model", stack.toString(), "--dtype", "int8", "--out", q.toString()).code()).isZero();
        String input = "{\"input\": [[[1, 2, 3]], [[0.5, -1, 2]], [[3, 0, -2]]]}";
        var a = CliRun.run(input, "encode", "--model", stack.toString(), "--input", "-");
        var b = CliRun.run(input, "encode", "--model", q.toString(), "--input", "-");
        assertThat(b.code()).as(b.err()).isZero();
        var json = new ObjectMapper();
        var x = new ArrayList<Double>();
        var y = new ArrayList<Double>();
        json.readTree(a.out()).get("h_n").elements().forEachRemaining(l -> l.elements().forEachRemaining(r -> r.elements().forEachRemaining(v -> x.add(v.asDouble()))));
        json.readTree(b.out()).get("h_n").elements().forEachRemaining(l -> l.elements().forEachRemaining(r -> r.elements().forEachRemaining(v -> y.add(v.asDouble()))));
        double d = 0, n = 0;
        for (int i = 0; i < x.size(); i++) {
            d += (x.get(i) - y.get(i)) * (x.get(i) - y.get(i));
            n += x.get(i) * x.get(i);
        }
        assertThat(Math.sqrt(d / n)).as("relative difference of h_n").isBetween(1e-9, 1e-2);
    }
}
