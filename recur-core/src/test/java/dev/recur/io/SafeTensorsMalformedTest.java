package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a safetensors file can be wrong gets one ModelFormatException naming the file and the tensor. */
class SafeTensorsMalformedTest {
    @TempDir Path dir;

    private static final String X = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void tooShortForAHeaderLength() throws IOException {
        assertFails(new byte[0]).hasMessageEndingWith("the file is 0 bytes long; a safetensors file starts with an 8-byte header length");
        assertFails(new byte[5]).hasMessageContaining("the file is 5 bytes long");
    }

    @Test
    void headerLengthBeyondTheCapOrTheFile() throws IOException {
        assertFails(file(1L << 40, "{}", 0)).hasMessageContaining("the header length is 1099511627776 bytes, more than the limit of 100000000");
        assertFails(file(-1, "{}", 0)).hasMessageContaining("the header length is 18446744073709551615 bytes");
        assertFails(file(1000, "{}", 0)).hasMessageContaining("the header length is 1000 bytes, but the file ends 2 bytes after it");
    }

    @Test
    void headerNotJsonObject() throws IOException {
        assertFails(file("", 0)).hasMessageContaining("the header is empty; expected a JSON object");
        assertFails(file("[1, 2]", 0)).hasMessageContaining("the header is an array; expected a JSON object");
        assertFails(file("{\"x\": ", 0)).hasMessageContaining("the header is not valid JSON");
        assertFails(file("{\"x\": NaN}", 0)).hasMessageContaining("the header is not valid JSON");
        assertFails(file("{} {}", 0)).hasMessageContaining("the header has more JSON after its object");
        byte[] latin1 = file("{\"caf\u00e9\": 1}", 0);
        byte[] bad = file("{\"cafX\": 1}", 0);
        bad[8 + 5] = (byte) 0xE9;                                        // Latin-1 é, not UTF-8
        assertThat(latin1).isNotEqualTo(bad);
        assertFails(bad).hasMessageContaining("the header is not valid UTF-8");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() throws IOException {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":" + deep + "}}", 8))
                .hasMessageContaining("the header is not valid JSON");
    }

    @Test
    void wrongFieldTypes() throws IOException {
        assertFails(file("{\"x\": 3}", 0)).hasMessageContaining("tensor x is an integer; expected an object with dtype, shape and data_offsets");
        assertFails(file("{\"x\": {\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor x has a dtype that is an integer; expected a string such as \"F32\"");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor x has a shape that is a string; expected an array of sizes");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor x has a shape dimension that is a fraction; expected an integer");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{}}}", 8))
                .hasMessageContaining("tensor x has data_offsets that are an object; expected [begin, end]");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,null]}}", 8))
                .hasMessageContaining("tensor x has a data offset that is null; expected an integer");
    }

    @Test
    void missingFields() throws IOException {
        assertFails(file("{\"x\": {\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).hasMessageContaining("tensor x has no dtype");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8)).hasMessageContaining("tensor x has no shape");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2]}}", 8)).hasMessageContaining("tensor x has no data_offsets");
    }

    @Test
    void unsupportedAndUnknownDtypes() throws IOException {
        assertFails(file("{\"x\": {\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8))
                .hasMessageEndingWith(": unsupported dtype I64 for tensor x; Recur reads F32, F64, F16, BF16, I8");
        assertFails(file("{\"mask\": {\"dtype\":\"BOOL\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("unsupported dtype BOOL for tensor mask");
        assertFails(file("{\"x\": {\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("unknown dtype \"f32\" for tensor x; Recur reads F32, F64, F16, BF16, I8");
    }

    @Test
    void badShapes() throws IOException {
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor x has dimension -2 in its shape; expected 0..2147483639");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[1099511627776],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor x has dimension 1099511627776 in its shape");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(64) + "1],\"data_offsets\":[0,4]}}", 4))
                .hasMessageContaining("tensor x has more than 64 dimensions");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2, 3],\"data_offsets\":[0,20]}}", 20))
                .hasMessageContaining("tensor x has shape [2, 3] of F32, which takes 24 bytes; its data_offsets 0..20 span 20");
        assertFails(file("{\"x\": {\"dtype\":\"F16\",\"shape\":[2147483639, 2147483639, 2147483639],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("which takes more than 2^63 bytes; its data_offsets 0..8 span 8");
    }

    @Test
    void badOffsets() throws IOException {
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8))
                .hasMessageContaining("tensor x has data_offsets that are shorter than [begin, end]");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", 8))
                .hasMessageContaining("tensor x has data_offsets that are longer than [begin, end]");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8))
                .hasMessageContaining("tensor x has a negative data offset -8");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551624]}}", 8))
                .hasMessageContaining("tensor x has a data offset that is 18446744073709551624, too large");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8))
                .hasMessageContaining("tensor x has data_offsets [8, 0]; the begin is after the end");
    }

    @Test
    void offsetsBeyondTheDataSection() throws IOException {
        Path path = write("model.safetensors", file("{\"weight\": {\"dtype\":\"F32\",\"shape\":[200],\"data_offsets\":[0,800]},"
                + "\"bias_ih_l0\": {\"dtype\":\"F32\",\"shape\":[40],\"data_offsets\":[800,960]}}", 912));
        assertThatThrownBy(() -> SafeTensors.read(path)).isExactlyInstanceOf(ModelFormatException.class)
                .hasMessage(path + ": tensor bias_ih_l0 claims bytes 800..960, but the data section ends at 912");
    }

    @Test
    void overlapsAndGapsAreRejected() throws IOException {
        assertFails(file("{\"a\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12))
                .hasMessageContaining("tensor b (bytes 4..12) overlaps tensor a (bytes 0..8)");
        assertFails(file("{\"a\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("overlaps tensor a (bytes 0..8)");
        assertFails(file("{\"a\": {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\": {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12))
                .hasMessageContaining("bytes 4..8 of the data section, before tensor b, belong to no tensor; safetensors data must be contiguous");
        assertFails(file("{\"a\": {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8))
                .hasMessageContaining("bytes 4..8 of the data section, after tensor a, belong to no tensor");
        assertFails(file("{}", 8)).hasMessageContaining("bytes 0..8 of the data section, which lists no tensors, belong to no tensor");
    }

    @Test
    void emptyTensorsMayShareAnOffset() throws IOException {
        var read = SafeTensors.read(write("ok.safetensors", file("{\"a\": {\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"b\": {\"dtype\":\"F64\",\"shape\":[3,0],\"data_offsets\":[4,4]},"
                + "\"c\": {\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}, \"d\": {\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[0,0]}}", 4)));
        assertThat(read.tensors().keySet()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void unknownFieldsAndNullMetadataAreIgnored() throws IOException {
        var read = SafeTensors.read(write("ok.safetensors",
                file("{\"__metadata__\": null, \"x\": {\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"note\":{\"a\":[1,2]}}}", 8)));
        assertThat(read.tensors().get("x").shape()).containsExactly(2);
        assertThat(read.metadata()).isEmpty();
    }

    @Test
    void badMetadata() throws IOException {
        assertFails(file("{\"__metadata__\": {\"epochs\": 3}, \"x\": " + X + "}", 8))
                .hasMessageContaining("metadata value for key epochs is an integer; safetensors metadata values must be strings");
        assertFails(file("{\"__metadata__\": {\"config\": {\"a\": 1}}}", 0))
                .hasMessageContaining("metadata value for key config is an object");
        assertFails(file("{\"__metadata__\": [\"a\"]}", 0)).hasMessageContaining("__metadata__ is an array; expected an object of strings");
        assertFails(file("{\"__metadata__\": {\"k\": \"a\", \"k\": \"b\"}}", 0)).hasMessageContaining("metadata key k appears twice");
        assertFails(file("{\"__metadata__\": {}, \"__metadata__\": {}}", 0)).hasMessageContaining("__metadata__ appears twice in the header");
    }

    @Test
    void duplicateNamesAndFields() throws IOException {
        assertFails(file("{\"x\": " + X + ", \"x\": " + X + "}", 8)).hasMessageContaining("tensor x appears twice in the header");
        assertFails(file("{\"x\": {\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor x has two dtype fields");
    }

    @Test
    void longNamesAreShortenedInMessages() throws IOException {
        String name = "n".repeat(5000);
        assertFails(file("{\"" + name + "\": 1}", 0)).hasMessageContaining("n".repeat(100) + "... (5000 characters) is an integer")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void aFileTruncatedInItsDataIsRejectedBeforeAnythingIsRead() throws IOException {
        byte[] whole = file("{\"x\": {\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertFails(cut).hasMessageContaining("tensor x claims bytes 0..16, but the data section ends at 13");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertFails(byte[] bytes) throws IOException {
        Path path = write("bad.safetensors", bytes);
        return assertThatThrownBy(() -> SafeTensors.read(path)).isExactlyInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(path + ": ")
                .satisfies(e -> assertThat(((ModelFormatException) e).source()).isEqualTo(path.toString()));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A file with {@code header} (its true length), then {@code dataBytes} zero bytes. */
    static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    static byte[] file(long claimedLength, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(claimedLength).put(h).array();
    }
}
