package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    @Test
    void roundTripKeepsValuesShapesOrderAndMetadata() throws IOException {
        var rng = new SplittableRandom(3);
        var tensors = new LinkedHashMap<String, Tensor>();
        tensors.put("z.weight", Tensor.randn(rng, 4, 3));
        tensors.put("a.bias", Tensor.randn(rng, 4));
        tensors.put("scalar", Tensor.scalar(-2.5f));
        tensors.put("empty", Tensor.zeros(0));
        tensors.put("empty_rows", Tensor.zeros(3, 0, 2));
        tensors.put("view", Tensor.randn(rng, 5, 2).slice(2, 4));   // a view with an offset into a larger array
        tensors.put("special", Tensor.of(new float[] {Float.NaN, -0f, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -Float.MAX_VALUE}, 5));
        tensors.put("large", Tensor.randn(rng, 700_001));            // several write and read chunks
        var metadata = new LinkedHashMap<String, String>();
        metadata.put("recur.config", "{\"type\": \"lstm\"}");
        metadata.put("unicode", "Grüße, 世界 ✓");
        metadata.put("empty", "");

        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, tensors, metadata);
        SafeTensors read = SafeTensors.read(file);

        assertThat(read.tensors().keySet()).containsExactlyElementsOf(tensors.keySet());
        tensors.forEach((name, t) -> {
            Tensor back = read.tensors().get(name);
            assertThat(back.shape()).as(name).containsExactly(t.shape());
            for (int i = 0; i < t.size(); i++) {
                assertThat(Float.floatToRawIntBits(back.at(i))).as("%s[%d]", name, i).isEqualTo(Float.floatToRawIntBits(t.at(i)));
            }
        });
        assertThat(read.metadata()).containsExactlyEntriesOf(metadata);
        assertThat(Files.size(file)).isEqualTo(8 + headerLength(file) + 4L * (12 + 4 + 1 + 4 + 5 + 700_001));
    }

    @Test
    void writesTheReferenceLayout() throws IOException {
        Path file = dir.resolve("small.safetensors");
        var tensors = new LinkedHashMap<String, Tensor>();
        tensors.put("b", Tensor.of(new float[] {1, 2}, 2));
        tensors.put("a", Tensor.of(new float[] {3}, 1, 1));
        SafeTensors.write(file, tensors, Map.of("k", "v"));

        byte[] bytes = Files.readAllBytes(file);
        int n = (int) headerLength(file);
        String header = new String(bytes, 8, n, StandardCharsets.UTF_8);
        assertThat((8 + n) % 8).isZero();
        assertThat(header).isEqualTo("{\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]}}" + " ".repeat(n - header.strip().length()));
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + n, 12).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(List.of(data.getFloat(), data.getFloat(), data.getFloat())).containsExactly(1f, 2f, 3f);
    }

    @Test
    void emptyMapsMakeAValidFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafeTensors.write(file, Map.of(), Map.of());
        assertThat(Files.readAllBytes(file)).hasSize(16);
        assertThat(new String(Files.readAllBytes(file), 8, 8, StandardCharsets.UTF_8)).isEqualTo("{}      ");
        SafeTensors read = SafeTensors.read(file);
        assertThat(read.tensors()).isEmpty();
        assertThat(read.metadata()).isEmpty();
    }

    @Test
    void readsAFileWrittenByAnotherImplementation() throws IOException {
        SafeTensors ref = SafeTensors.read(reference());
        // Header order, which here is alphabetical while the data is in another order.
        assertThat(ref.tensors().keySet()).containsExactly("bfloat", "bfloat_as_f32", "bias_hh_l0", "bias_ih_l0", "double",
                "double_as_f32", "empty", "half", "half_as_f32", "scalar", "weight_hh_l0", "weight_ih_l0");
        assertThat(ref.metadata()).containsEntry("format", "pt").containsKey("recur.config");
        assertThat(ref.tensors().get("weight_ih_l0").shape()).containsExactly(20, 3);
        assertThat(ref.tensors().get("weight_hh_l0").shape()).containsExactly(20, 5);
        assertThat(ref.tensors().get("bias_ih_l0").shape()).containsExactly(20);
        assertThat(ref.tensors().get("scalar").shape()).isEmpty();
        assertThat(ref.tensors().get("scalar").item()).isEqualTo(3.5f);
        assertThat(ref.tensors().get("empty").shape()).containsExactly(0, 4);
        assertThat(ref.tensors().get("double").shape()).containsExactly(4, 8);
        // nn.LSTM initialises from U(-1/sqrt(5), 1/sqrt(5)).
        for (float v : ref.tensors().get("weight_hh_l0").toArray()) assertThat(Math.abs(v)).isLessThanOrEqualTo(0.4473f);

        assertSameAsPyTorch(ref, "half", 1094);
        assertSameAsPyTorch(ref, "bfloat", 1087);
        assertSameAsPyTorch(ref, "double", 32);
    }

    private static void assertSameAsPyTorch(SafeTensors ref, String name, int size) {
        Tensor ours = ref.tensors().get(name);
        Tensor torch = ref.tensors().get(name + "_as_f32");
        assertThat(ours.size()).isEqualTo(size).isEqualTo(torch.size());
        for (int i = 0; i < ours.size(); i++) {
            if (Float.isNaN(torch.at(i))) assertThat(ours.at(i)).as("%s[%d]", name, i).isNaN();
            else assertThat(Float.floatToRawIntBits(ours.at(i))).as("%s[%d] = %s, PyTorch %s", name, i, ours.at(i), torch.at(i))
                    .isEqualTo(Float.floatToRawIntBits(torch.at(i)));
        }
    }

    @Test
    void aMissingFileIsAnIOException() {
        assertThatThrownBy(() -> SafeTensors.read(dir.resolve("nothing.safetensors"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void overwritingReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.zeros(100)), Map.of());
        SafeTensors.write(file, Map.of("y", Tensor.full(7f, 2)), Map.of("v", "2"));
        SafeTensors read = SafeTensors.read(file);
        assertThat(read.tensors().keySet()).containsExactly("y");
        assertThat(read.tensors().get("y").toArray()).containsExactly(7f, 7f);
        assertThat(listing()).containsExactly("model.safetensors");
    }

    @Test
    void aWriteThatFailsMidwayLeavesTheOldFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("x", Tensor.full(1f, 10)), Map.of("v", "1"));
        byte[] before = Files.readAllBytes(file);

        Map<String, Tensor> failing = new AbstractMap<>() {
            @Override
            public Set<Entry<String, Tensor>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, Tensor>> iterator() {
                        return Stream.<Entry<String, Tensor>>iterate(Map.entry("a", Tensor.zeros(3)), e -> {
                            throw new IllegalStateException("the map broke after one entry");
                        }).limit(3).iterator();
                    }

                    @Override
                    public int size() {
                        return 3;
                    }
                };
            }
        };
        assertThatThrownBy(() -> SafeTensors.write(file, failing, Map.of())).hasMessageContaining("the map broke");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(listing()).containsExactly("model.safetensors");
    }

    @Test
    void aFailedMoveRemovesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("occupied");   // a non-empty directory cannot be replaced by a file
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "keep");
        assertThatThrownBy(() -> SafeTensors.write(target, Map.of("x", Tensor.zeros(1000)), Map.of()))
                .isInstanceOf(IOException.class);
        assertThat(listing()).containsExactly("occupied");
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("keep");
    }

    @Test
    void aMissingDirectoryIsAnIOException() {
        assertThatThrownBy(() -> SafeTensors.write(dir.resolve("no/such/dir/m.safetensors"), Map.of(), Map.of()))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void rejectsNamesAndValuesItCannotStore() {
        assertThatThrownBy(() -> new SafeTensors(Map.of("__metadata__", Tensor.zeros(1)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("__metadata__");
        var withNull = new LinkedHashMap<String, Tensor>();
        withNull.put("x", null);
        assertThatThrownBy(() -> new SafeTensors(withNull, Map.of())).hasMessageContaining("tensor x is null");
    }

    static Path reference() {
        try {
            return Path.of(SafeTensorsTest.class.getResource("reference.safetensors").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long headerLength(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private List<String> listing() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
