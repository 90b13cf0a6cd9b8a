package dev.recur.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Named tensors and string metadata in the safetensors format: an 8-byte little-endian header length N, N bytes
 * of UTF-8 JSON header, then the little-endian data.
 * <pre>
 * {"__metadata__": {"recur.config": "{...}"}, "weight_ih_l0": {"dtype": "F32", "shape": [20, 3], "data_offsets": [0, 240]}, ...}
 * </pre>
 * Reading accepts F32, F64, F16 and BF16 and converts them to float32; it checks the whole header before reading
 * data and throws {@link ModelFormatException} naming the file (and tensor) for anything it cannot trust —
 * including gaps between tensors, which the format forbids. Tensors keep the header's order. Writing produces
 * F32 with the header padded by spaces to a multiple of 8 bytes (as the reference implementation does), into a
 * temporary file in the same directory that is synced and then atomically moved over the target, so a failed
 * write leaves any old file untouched.
 * <pre>
 * SafeTensors.write(path, Map.of("w", Tensor.zeros(2, 3)), Map.of("note", "hello"));
 * Tensor w = SafeTensors.read(path).tensors().get("w");
 * </pre>
 */
public record SafeTensors(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> dtypes) {
    /** Headers longer than this are refused, as the reference implementation does. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";
    private static final int CHUNK_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Tensors stored as F32. */
    public SafeTensors(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this(tensors, metadata, Map.of());
    }

    /**
     * Copies the maps (keeping their order); names and values must not be null, and no tensor may be called
     * __metadata__. {@code dtypes} names how a tensor is stored ("F32", "BF16", "I8"; read: as the file stored it);
     * a tensor it does not name is F32.
     */
    public SafeTensors {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        dtypes = Collections.unmodifiableMap(new LinkedHashMap<>(dtypes));
        dtypes.forEach((name, d) -> {
            if (Dtype.of(d) == null) throw new IllegalArgumentException("tensor " + name + ": unknown dtype " + d);
        });
        tensors.forEach((name, t) -> {
            Objects.requireNonNull(name, "a tensor name is null");
            Objects.requireNonNull(t, () -> "tensor " + name + " is null");
            if (name.equals(METADATA)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
        });
        metadata.forEach((key, value) -> {
            Objects.requireNonNull(key, "a metadata key is null");
            Objects.requireNonNull(value, () -> "metadata value for key " + key + " is null");
        });
    }

    public static SafeTensors read(Path file) throws IOException {
        String source = file.toString();
        if (Files.isDirectory(file)) throw new IOException(source + ": is a folder, not a model file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelFormatException(source, "the file is " + size
                        + " bytes long; a safetensors file starts with an 8-byte header length");
            }
            long headerLength = readFully(channel, 0, 8, source).getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new ModelFormatException(source, "the header length is " + Long.toUnsignedString(headerLength)
                        + " bytes, more than the limit of " + MAX_HEADER_BYTES + "; is this a safetensors file?");
            }
            if (headerLength > size - 8) {
                throw new ModelFormatException(source, "the header length is " + headerLength
                        + " bytes, but the file ends " + (size - 8) + " bytes after it; the file is truncated or not safetensors");
            }
            byte[] headerBytes = readFully(channel, 8, (int) headerLength, source).array();
            long dataStart = 8 + headerLength;
            Header header = Header.parse(source, headerBytes, size - dataStart);

            var tensors = new LinkedHashMap<String, Tensor>();
            var dtypes = new LinkedHashMap<String, String>();
            ByteBuffer chunk = ByteBuffer.allocate(chunkBytes(size - dataStart)).order(ByteOrder.LITTLE_ENDIAN);
            for (Header.Entry e : header.entries) {
                float[] values = new float[e.elements()];
                int perChunk = chunk.capacity() / e.dtype().bytes;
                for (int done = 0; done < values.length; ) {
                    int n = Math.min(perChunk, values.length - done);
                    chunk.clear().limit(n * e.dtype().bytes);
                    fill(channel, chunk, dataStart + e.begin() + (long) done * e.dtype().bytes, source);
                    e.dtype().decode(chunk.flip(), values, done, n);
                    done += n;
                }
                tensors.put(e.name(), Tensor.of(values, e.shape()));
                dtypes.put(e.name(), e.dtype().name());
            }
            return new SafeTensors(tensors, header.metadata, dtypes);
        }
    }

    /** Writes {@code tensors} as F32 with {@code metadata}, atomically; see {@link #write(Path)}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        new SafeTensors(tensors, metadata).write(file);
    }

    /**
     * Writes a temporary file beside {@code file}, syncs it, and moves it over {@code file} atomically. On any
     * failure the temporary file is deleted and an existing {@code file} is left as it was.
     */
    public void write(Path file) throws IOException {
        dtypes.forEach((name, d) -> {
            if (d.equals("F64") || d.equals("F16")) throw new IllegalArgumentException("tensor " + name + ": Recur writes F32, BF16 and I8, not " + d);
        });
        byte[] header = header();
        AtomicWrite.channel(file, channel -> {
            long dataBytes = tensors.entrySet().stream().mapToLong(e -> (long) dtype(e.getKey()).bytes * e.getValue().size()).sum();
            ByteBuffer buffer = ByteBuffer.allocate(chunkBytes(dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
            writeFully(channel, buffer.putLong(header.length).flip());
            writeFully(channel, ByteBuffer.wrap(header));
            for (var e : tensors.entrySet()) {
                Tensor t = e.getValue();
                Dtype d = dtype(e.getKey());
                for (int done = 0; done < t.size(); ) {
                    int n = Math.min(buffer.capacity() / d.bytes, t.size() - done);
                    buffer.clear();
                    d.encode(t.data(), t.offset() + done, n, buffer);
                    writeFully(channel, buffer.flip());
                    done += n;
                }
            }
        });
    }

    /** The JSON header, metadata first and tensors in order, padded with spaces so the data starts 8-byte aligned. */
    private byte[] header() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", dtype(e.getKey()).name());
            Arrays.stream(e.getValue().shape()).forEach(entry.putArray("shape")::add);
            long end = offset + (long) dtype(e.getKey()).bytes * e.getValue().size();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the safetensors header would be " + padded + " bytes, more than the limit of "
                    + MAX_HEADER_BYTES + " that readers accept; store less metadata");
        }
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private Dtype dtype(String name) {
        String d = dtypes.get(name);
        return d == null ? Dtype.F32 : Dtype.of(d);
    }

    /** A buffer of up to 1 MiB, a multiple of 8 bytes so it holds whole elements of every dtype. */
    private static int chunkBytes(long dataBytes) {
        return (int) Math.min(CHUNK_BYTES, Math.max(8, (dataBytes + 7) / 8 * 8));
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length, String source) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        fill(channel, buffer, position, source);
        return buffer.flip();
    }

    private static void fill(FileChannel channel, ByteBuffer buffer, long position, String source) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) throw new ModelFormatException(source, "the file ended at byte " + position + " while reading; did it change while being read?");
            position += n;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }
}
