package dev.recur.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance: models written by PyTorch itself (tools/reference/encode_reference.py: torch.nn.RNN/LSTM/GRU saved
 * with the snippet of docs/pytorch.md) give PyTorch's outputs, h_n and c_n through {@code recur encode}, within
 * 1e-5 of the values' scale, and exact zeros past each sequence's length as pad_packed_sequence does.
 */
class EncodePyTorchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static double worst;
    private static String worstCase = "";

    static Stream<String> cases() throws IOException, URISyntaxException {
        return Files.readAllLines(dir().resolve("cases.txt")).stream().filter(l -> !l.isBlank());
    }

    private static Path dir() throws URISyntaxException {
        return Path.of(EncodePyTorchTest.class.getResource("/encode/cases.txt").toURI()).getParent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void givesPyTorchsOutputs(String name) throws Exception {
        Path dir = dir();
        var r = EncodeCommandTest.run("", "encode", "--model", dir.resolve(name + ".safetensors").toString(),
                "--input", dir.resolve(name + ".input.json").toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        JsonNode got = JSON.readTree(r.out());
        JsonNode expected = JSON.readTree(dir.resolve(name + ".expected.json").toFile());
        JsonNode input = JSON.readTree(dir.resolve(name + ".input.json").toFile());

        List<String> fields = name.startsWith("lstm") ? List.of("output", "h_n", "c_n") : List.of("output", "h_n");
        assertThat(got.properties()).extracting(e -> e.getKey()).containsExactlyElementsOf(fields);
        for (String field : fields) {
            double scale = Math.max(1, maxAbs(expected.get(field)));
            double diff = maxDiff(field, got.get(field), expected.get(field));
            assertThat(diff).as("%s %s: max |diff| relative to scale %.3g", name, field, scale).isLessThanOrEqualTo(1e-5 * scale);
            synchronized (EncodePyTorchTest.class) {
                if (diff / scale > worst) {
                    worst = diff / scale;
                    worstCase = name + " " + field;
                }
            }
        }
        if (input.has("lengths")) assertPaddingIsZero(got.get("output"), input.get("lengths"), name.contains("batchfirst"));
    }

    @AfterAll
    static void report() {
        System.err.printf("EncodePyTorchTest: largest max |diff| / scale %.3g (%s)%n", worst, worstCase);
    }

    /** Output positions past each sequence's length are exactly zero. */
    private static void assertPaddingIsZero(JsonNode output, JsonNode lengths, boolean batchFirst) {
        for (int b = 0; b < lengths.size(); b++) {
            int steps = batchFirst ? output.get(b).size() : output.size();
            for (int t = lengths.get(b).asInt(); t < steps; t++) {
                JsonNode row = batchFirst ? output.get(b).get(t) : output.get(t).get(b);
                for (JsonNode v : row) assertThat(v.doubleValue()).as("output at t=%d, b=%d", t, b).isEqualTo(0.0);
            }
        }
    }

    private static double maxDiff(String where, JsonNode a, JsonNode b) {
        if (!a.isArray()) return Math.abs(a.doubleValue() - b.doubleValue());
        assertThat(a.size()).as(where).isEqualTo(b.size());
        double m = 0;
        for (int i = 0; i < a.size(); i++) m = Math.max(m, maxDiff(where + "[" + i + "]", a.get(i), b.get(i)));
        return m;
    }

    private static double maxAbs(JsonNode a) {
        if (!a.isArray()) return Math.abs(a.doubleValue());
        double m = 0;
        for (JsonNode v : a) m = Math.max(m, maxAbs(v));
        return m;
    }
}
