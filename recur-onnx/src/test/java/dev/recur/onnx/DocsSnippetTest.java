package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.io.RecurrentModelFile;
import dev.recur.nn.Lengths;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.nn.RecurrentOutput;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java snippet of docs/onnx.md, verbatim but for the file's path, runs on an exported LSTM and prints Recur's values. */
class DocsSnippetTest {
    @TempDir
    Path dir;

    @Test
    void theJavaSnippetRunsAnExportedLstm() throws Exception {
        Recurrent lstm = Recurrent.of(RecurrentConfig.lstm(3, 4).withLayers(2).withDirections(2), new Rng(8));
        Path model = dir.resolve("lstm.safetensors");
        RecurrentModelFile.write(model, lstm);
        assertThat(ExportOnnxCommandTest.run("export", "onnx", "--model", model.toString(), "--out", dir.resolve("lstm.onnx").toString()).code()).isZero();
        String path = dir.resolve("lstm.onnx").toString();

        var printed = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            // From docs/onnx.md, with "lstm.onnx" replaced by path:
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession session = env.createSession(path)) {
                int steps = 5, batch = 2, features = 3, states = 4, hidden = 4;
                float[] x = new float[steps * batch * features];                 // [T, B, F], time-major
                Arrays.fill(x, 0.5f);
                try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {steps, batch, features});
                     OnnxTensor lengths = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {5, 3}), new long[] {batch});
                     OnnxTensor h0 = OnnxTensor.createTensor(env, FloatBuffer.allocate(states * batch * hidden), new long[] {states, batch, hidden});
                     OnnxTensor c0 = OnnxTensor.createTensor(env, FloatBuffer.allocate(states * batch * hidden), new long[] {states, batch, hidden});
                     OrtSession.Result result = session.run(Map.of("input", input, "lengths", lengths, "h0", h0, "c0", c0))) {
                    float[][][] output = (float[][][]) result.get("output").get().getValue();   // [T][B][D·H]
                    float[][][] hN = (float[][][]) result.get("h_n").get().getValue();         // [L·D][B][H]
                    System.out.println(Arrays.toString(output[4][0]) + " " + Arrays.toString(hN[3][1]));
                }
            }
        } finally {
            System.setOut(saved);
        }

        RecurrentOutput recur;
        try (var off = Tape.noGrad()) {
            recur = lstm.forward(Variable.of(Tensor.full(0.5f, 5, 2, 3)), Lengths.of(5, 3), null);
        }
        String[] words = printed.toString(StandardCharsets.UTF_8).replaceAll("[\\[\\],]", " ").trim().split("\\s+");
        float[] expected = concat(recur.output().value().select(4).select(0).toArray(), recur.h().value().select(3).select(1).toArray());
        assertThat(words).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.parseFloat(words[i])).as("printed value %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
