package dev.recur.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors header, parsed and checked before any data is read: every field's type, each dtype, each shape
 * against its byte range, and the ranges against the data section — which they must cover exactly, without
 * overlaps or gaps, as the format's specification and reference implementation require. Parsing streams the
 * JSON rather than building a tree, so even a 100 MB header of nonsense costs little memory.
 */
final class Header {
    /** One tensor's entry: {@code "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}}. */
    record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {
        int elements() {
            return (int) ((end - begin) / dtype.bytes);
        }

        /** The name as messages show it. */
        String label() {
            return shorten(name);
        }

        String range() {
            return begin + ".." + end;
        }
    }

    static final int MAX_RANK = 64;
    /** The largest Java array, as {@link dev.recur.tensor.Tensor#sizeOf} allows. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) SafeTensors.MAX_HEADER_BYTES).build())
            .build();

    final List<Entry> entries;
    final Map<String, String> metadata;

    private Header(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Parses {@code bytes} and checks every entry against a data section of {@code dataSize} bytes. */
    static Header parse(String source, byte[] bytes, long dataSize) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(source, "the header is not valid UTF-8; is this a safetensors file?");
        }
        Header header;
        try (JsonParser p = JSON.createParser(text)) {
            header = new Reader(source, p).header();
        } catch (JsonProcessingException e) {
            var where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw new ModelFormatException(source, "the header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // parsing a String does no I/O
        }
        header.checkLayout(source, dataSize);
        return header;
    }

    /** Each entry's byte count matches its shape; together the entries tile the data section exactly. */
    private void checkLayout(String source, long dataSize) {
        for (Entry e : entries) {
            if (e.begin > e.end) {
                throw new ModelFormatException(source, "tensor " + e.label() + " has data_offsets [" + e.begin + ", " + e.end
                        + "]; the begin is after the end");
            }
            if (e.end > dataSize) {
                throw new ModelFormatException(source, "tensor " + e.label() + " claims bytes " + e.range()
                        + ", but the data section ends at " + dataSize);
            }
            long elements = elements(e.shape);
            long needed = elements > Long.MAX_VALUE / e.dtype.bytes ? Long.MAX_VALUE : elements * e.dtype.bytes;
            if (needed != e.end - e.begin) {
                throw new ModelFormatException(source, "tensor " + e.label() + " has shape " + Arrays.toString(e.shape) + " of "
                        + e.dtype + ", which takes " + (needed == Long.MAX_VALUE ? "more than 2^63" : needed)
                        + " bytes; its data_offsets " + e.range() + " span " + (e.end - e.begin));
            }
            if (elements > MAX_ELEMENTS) {
                throw new ModelFormatException(source, "tensor " + e.label() + " has " + elements
                        + " elements; a Recur tensor holds at most " + MAX_ELEMENTS);
            }
        }
        var byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < covered) {
                throw new ModelFormatException(source, "tensor " + e.label() + " (bytes " + e.range() + ") overlaps tensor "
                        + previous.label() + " (bytes " + previous.range() + ")");
            }
            if (e.begin > covered) {
                throw new ModelFormatException(source, "bytes " + covered + ".." + e.begin + " of the data section, before tensor "
                        + e.label() + ", belong to no tensor; safetensors data must be contiguous");
            }
            covered = e.end;
            previous = e;
        }
        if (covered != dataSize) {
            throw new ModelFormatException(source, "bytes " + covered + ".." + dataSize + " of the data section, "
                    + (previous == null ? "which lists no tensors" : "after tensor " + previous.label())
                    + ", belong to no tensor; safetensors data must be contiguous");
        }
    }

    /** The product of the dimensions, or Long.MAX_VALUE if it overflows. */
    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) if (d == 0) return 0;
        for (int d : shape) {
            if (n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
            n *= d;
        }
        return n;
    }

    /** Streams the header's JSON: the top-level object, {@code __metadata__}, and one object per tensor. */
    private static final class Reader {
        private final String source;
        private final JsonParser p;

        Reader(String source, JsonParser p) {
            this.source = source;
            this.p = p;
        }

        Header header() throws IOException {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw fail(first == null ? "the header is empty; expected a JSON object"
                        : "the header is " + describe(first) + "; expected a JSON object");
            }
            var entries = new ArrayList<Entry>();
            var names = new HashSet<String>();
            Map<String, String> metadata = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!names.add(name)) throw fail((name.equals("__metadata__") ? name : "tensor " + shorten(name)) + " appears twice in the header");
                if (name.equals("__metadata__")) metadata = metadata();
                else entries.add(entry(shorten(name), name));
            }
            if (p.nextToken() != null) throw fail("the header has more JSON after its object");
            return new Header(entries, metadata == null ? new LinkedHashMap<>() : metadata);
        }

        private Map<String, String> metadata() throws IOException {
            var metadata = new LinkedHashMap<String, String>();
            if (p.currentToken() == JsonToken.VALUE_NULL) return metadata;
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw fail("__metadata__ is " + describe(p.currentToken()) + "; expected an object of strings");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                if (value != JsonToken.VALUE_STRING) {
                    throw fail("metadata value for key " + shorten(key) + " is " + describe(value)
                            + "; safetensors metadata values must be strings");
                }
                if (metadata.put(key, p.getText()) != null) throw fail("metadata key " + shorten(key) + " appears twice");
            }
            return metadata;
        }

        private Entry entry(String label, String name) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw fail("tensor " + label + " is " + describe(p.currentToken()) + "; expected an object with dtype, shape and data_offsets");
            }
            String dtype = null;
            int[] shape = null;
            long[] offsets = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "dtype" -> {
                        if (dtype != null) throw fail("tensor " + label + " has two dtype fields");
                        if (value != JsonToken.VALUE_STRING) throw fail("tensor " + label + " has a dtype that is " + describe(value) + "; expected a string such as \"F32\"");
                        dtype = p.getText();
                    }
                    case "shape" -> {
                        if (shape != null) throw fail("tensor " + label + " has two shape fields");
                        shape = shape(label);
                    }
                    case "data_offsets" -> {
                        if (offsets != null) throw fail("tensor " + label + " has two data_offsets fields");
                        offsets = offsets(label);
                    }
                    default -> p.skipChildren();
                }
            }
            if (dtype == null) throw fail("tensor " + label + " has no dtype");
            if (shape == null) throw fail("tensor " + label + " has no shape");
            if (offsets == null) throw fail("tensor " + label + " has no data_offsets");
            Dtype type = Dtype.of(dtype);
            if (type == null) {
                throw fail((Dtype.UNSUPPORTED.contains(dtype) ? "unsupported dtype " + dtype : "unknown dtype \"" + shorten(dtype) + "\"")
                        + " for tensor " + label + "; Recur reads " + Dtype.SUPPORTED);
            }
            return new Entry(name, type, shape, offsets[0], offsets[1]);
        }

        private int[] shape(String label) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail("tensor " + label + " has a shape that is " + describe(p.currentToken()) + "; expected an array of sizes");
            }
            int[] shape = new int[4];
            int rank = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                long d = integer("tensor " + label + " has a shape dimension that is");
                if (d < 0 || d > MAX_ELEMENTS) {
                    throw fail("tensor " + label + " has dimension " + d + " in its shape; expected 0.." + MAX_ELEMENTS);
                }
                if (rank == MAX_RANK) throw fail("tensor " + label + " has more than " + MAX_RANK + " dimensions");
                if (rank == shape.length) shape = Arrays.copyOf(shape, 2 * rank);
                shape[rank++] = (int) d;
            }
            return Arrays.copyOf(shape, rank);
        }

        private long[] offsets(String label) throws IOException {
            String what = "tensor " + label + " has data_offsets that are";
            if (p.currentToken() != JsonToken.START_ARRAY) throw fail(what + " " + describe(p.currentToken()) + "; expected [begin, end]");
            long[] offsets = new long[2];
            int n = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (n == 2) throw fail(what + " longer than [begin, end]");
                offsets[n] = integer("tensor " + label + " has a data offset that is");
                if (offsets[n] < 0) throw fail("tensor " + label + " has a negative data offset " + offsets[n]);
                n++;
            }
            if (n != 2) throw fail(what + " shorter than [begin, end]");
            return offsets;
        }

        /** The current token as a long; anything else (a fraction, a string, an integer beyond 2⁶³) is an error. */
        private long integer(String what) throws IOException {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_INT) throw fail(what + " " + describe(t) + "; expected an integer");
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) throw fail(what + " " + shorten(p.getText()) + ", too large");
            return p.getLongValue();
        }

        private ModelFormatException fail(String detail) {
            return new ModelFormatException(source, detail);
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) return "missing";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    /** Names and values from a hostile file can be megabytes long; messages show the first 100 characters. */
    static String shorten(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "... (" + s.length() + " characters)";
    }
}
