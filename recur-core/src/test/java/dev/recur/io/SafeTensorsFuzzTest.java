package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged files, seeded: every read either succeeds with consistent tensors or throws
 * ModelFormatException — never an OutOfMemoryError, an index exception or any other throwable.
 */
class SafeTensorsFuzzTest {
    private static final int ROUNDS = 3000;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");
    private static final Pattern DTYPE = Pattern.compile("\"(F32|F64|F16|BF16)\"");
    private static final Pattern NAME = Pattern.compile("\"([a-z_0-9]+)\":\\s*\\{");
    private static final String[] NUMBERS = {"-1", "0", "1", "3", "7", "8", "2147483647", "2147483648", "4294967296",
            "9223372036854775807", "9223372036854775808", "18446744073709551615", "1e3", "2.5", "-0", "\"8\"", "null", "[]", "{}", "true"};
    private static final String[] DTYPES = {"\"F32\"", "\"F64\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"BOOL\"", "\"\"", "\"F33\"", "3", "null"};

    @TempDir Path dir;

    @Test
    void damagedFilesGiveModelFormatExceptionOrAConsistentResult() throws IOException {
        List<byte[]> seeds = List.of(Files.readAllBytes(SafeTensorsTest.reference()), small());
        var rng = new SplittableRandom(20240607);
        Path path = dir.resolve("fuzz.safetensors");
        int[] outcomes = new int[2];
        for (int round = 0; round < ROUNDS; round++) {
            byte[] original = seeds.get(rng.nextInt(seeds.size()));
            int kind = rng.nextInt(5);
            byte[] bytes = switch (kind) {
                case 0 -> flipBytes(original, rng);
                case 1 -> Arrays.copyOf(original, rng.nextInt(original.length + 1));
                case 2 -> editHeaderLength(original, rng);
                default -> editHeaderJson(original, rng);
            };
            Files.write(path, bytes);
            try {
                SafeTensors read = SafeTensors.read(path);
                for (Tensor t : read.tensors().values()) assertThat(t.size()).isEqualTo(Tensor.sizeOf(t.shape()));
                outcomes[0]++;
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).startsWith(path + ": ");
                outcomes[1]++;
            } catch (Throwable t) {
                fail("round " + round + " (mutation " + kind + ") threw " + t + " for file "
                        + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 4096)), t);
            }
        }
        // Both outcomes occur often, so the mutations neither always break nor never touch the file.
        assertThat(outcomes[0]).isGreaterThan(ROUNDS / 40);
        assertThat(outcomes[1]).isGreaterThan(ROUNDS / 2);
    }

    /** A file as Recur writes it, with metadata and several shapes. */
    private byte[] small() throws IOException {
        var tensors = new LinkedHashMap<String, Tensor>();
        var rng = new SplittableRandom(1);
        tensors.put("weight_ih_l0", Tensor.randn(rng, 8, 3));
        tensors.put("weight_hh_l0", Tensor.randn(rng, 8, 2));
        tensors.put("bias_ih_l0", Tensor.randn(rng, 8));
        tensors.put("scalar", Tensor.scalar(1));
        tensors.put("empty", Tensor.zeros(0, 2));
        Path p = dir.resolve("small.safetensors");
        SafeTensors.write(p, tensors, Map.of("recur.config", "{\"type\":\"gru\"}"));
        return Files.readAllBytes(p);
    }

    private static byte[] flipBytes(byte[] original, SplittableRandom rng) {
        byte[] b = original.clone();
        int flips = 1 + rng.nextInt(8);
        for (int i = 0; i < flips; i++) {
            // Mostly inside the length and header, where damage matters most.
            int at = rng.nextInt(rng.nextBoolean() ? Math.min(b.length, 512) : b.length);
            b[at] = rng.nextBoolean() ? (byte) rng.nextInt(256) : (byte) (b[at] ^ (1 << rng.nextInt(8)));
        }
        return b;
    }

    private static byte[] editHeaderLength(byte[] original, SplittableRandom rng) {
        byte[] b = original.clone();
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long[] choices = {0, 1, 2, n - 1, n + 1, n - 8, n + 8, n + rng.nextInt(-100, 100), b.length - 8, b.length,
                Integer.MAX_VALUE, 1L << 32, Long.MAX_VALUE, -1, SafeTensors.MAX_HEADER_BYTES, rng.nextLong()};
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(choices[rng.nextInt(choices.length)]);
        return b;
    }

    /** Rewrites a number, a dtype or a name in the header JSON, or cuts or duplicates a piece of it. */
    private static byte[] editHeaderJson(byte[] original, SplittableRandom rng) {
        int n = (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(original, 8, n, StandardCharsets.UTF_8);
        int edits = 1 + rng.nextInt(3);
        for (int i = 0; i < edits; i++) {
            String current = header;
            header = switch (rng.nextInt(6)) {
                case 0, 1 -> replaceOne(header, NUMBER, 0, rng, m -> rng.nextBoolean()
                        ? NUMBERS[rng.nextInt(NUMBERS.length)] : Long.toString(Long.parseLong(m.group()) + rng.nextInt(-9, 10)));
                case 2 -> replaceOne(header, DTYPE, 0, rng, m -> DTYPES[rng.nextInt(DTYPES.length)]);
                case 3 -> replaceOne(header, NAME, 1, rng, m -> nameOf(current, rng));
                case 4 -> cut(header, rng);
                default -> duplicate(header, rng);
            };
        }
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long length = rng.nextInt(4) == 0 ? n : h.length;   // sometimes keep the old, now wrong, length
        return ByteBuffer.allocate(8 + h.length + original.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(length).put(h).put(original, 8 + n, original.length - 8 - n).array();
    }

    private interface Replacement {
        String of(Matcher m);
    }

    private static String replaceOne(String s, Pattern pattern, int group, SplittableRandom rng, Replacement replacement) {
        Matcher m = pattern.matcher(s);
        int count = 0;
        while (m.find()) count++;
        if (count == 0) return s;
        int target = rng.nextInt(count);
        m.reset();
        for (int i = 0; i <= target; i++) m.find();
        return s.substring(0, m.start(group)) + replacement.of(m) + s.substring(m.end(group));
    }

    private static String nameOf(String header, SplittableRandom rng) {
        Matcher m = NAME.matcher(header);
        var names = new java.util.ArrayList<String>();
        while (m.find()) names.add(m.group(1));
        return names.get(rng.nextInt(names.size()));   // another tensor's name: a duplicate, or __metadata__
    }

    private static String cut(String s, SplittableRandom rng) {
        if (s.isEmpty()) return s;
        int from = rng.nextInt(s.length());
        return s.substring(0, from) + s.substring(Math.min(s.length(), from + 1 + rng.nextInt(20)));
    }

    private static String duplicate(String s, SplittableRandom rng) {
        if (s.isEmpty()) return s;
        int from = rng.nextInt(s.length());
        int to = Math.min(s.length(), from + 1 + rng.nextInt(60));
        return s.substring(0, to) + s.substring(from, to) + s.substring(to);
    }
}
