package dev.recur.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a JSON-lines file: one JSON object per line, blank lines skipped, a {@code .gz} file decompressed. A line
 * that is not one JSON object is an {@link InvalidDataException} at its line; so is a field a caller asks for that
 * the object lacks, or holds a value of another type. An empty file gives no lines; the caller decides whether
 * that is acceptable.
 * <pre>
 * for (JsonLines.Line line : JsonLines.read(Path.of("train.jsonl"))) {
 *     String text = line.text("text");           // train.jsonl:12: no field "text"; the object has id, body
 *     int label = line.integer("label");
 *     List&lt;String&gt; tokens = line.strings("tokens");
 * }
 * </pre>
 */
public final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLines() {}

    public static List<Line> read(Path file) throws IOException {
        return read(file, StandardCharsets.UTF_8);
    }

    public static List<Line> read(Path file, Charset charset) throws IOException {
        try (TextSource src = TextSource.open(file, charset)) {
            return read(src);
        }
    }

    /** Reads {@code reader}; {@code name} stands for it in messages. */
    public static List<Line> read(Reader reader, Path name) throws IOException {
        try (TextSource src = TextSource.of(reader, name)) {
            return read(src);
        }
    }

    /** Parses {@code text}, named {@code <text>} in messages. */
    public static List<Line> parse(String text) {
        try {
            return read(new StringReader(text), Path.of("<text>"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringReader does not fail
        }
    }

    private static List<Line> read(TextSource src) throws IOException {
        var lines = new ArrayList<Line>();
        for (long at = src.line(); ; at = src.line()) {
            String text = src.readLine();
            if (text == null) return lines;
            if (text.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                String column = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
                throw src.error(at, "not valid JSON: " + e.getOriginalMessage() + column);
            }
            if (!node.isObject()) throw src.error(at, "expected a JSON object, got " + kind(node));
            lines.add(new Line(src.name(), at, node));
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            default -> node.getNodeType().toString().toLowerCase();
        };
    }

    /** One object and the line it is on; its accessors name the field and the line when the value is missing or wrong. */
    public record Line(Path source, long line, JsonNode value) {

        /** The value of {@code field}; an error if the object lacks it (or holds null). */
        public JsonNode get(String field) {
            JsonNode v = value.get(field);
            if (v == null || v.isNull()) {
                var names = new ArrayList<String>();
                for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) names.add(it.next());
                throw error("no field \"" + field + "\"; the object has " + (names.isEmpty() ? "no fields" : String.join(", ", names)));
            }
            return v;
        }

        /** Whether the object has {@code field} with a value other than null. */
        public boolean has(String field) {
            JsonNode v = value.get(field);
            return v != null && !v.isNull();
        }

        /** A string field. */
        public String text(String field) {
            JsonNode v = get(field);
            if (!v.isTextual()) throw wrongType(field, v, "a string");
            return v.asText();
        }

        /** An integer field (a JSON number without a fraction that fits an int). */
        public int integer(String field) {
            JsonNode v = get(field);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw wrongType(field, v, "an integer");
            return v.intValue();
        }

        /** A number field, as a float. */
        public float number(String field) {
            JsonNode v = get(field);
            if (!v.isNumber()) throw wrongType(field, v, "a number");
            return v.floatValue();
        }

        /** An array of strings, e.g. the tokens of a sentence. */
        public List<String> strings(String field) {
            JsonNode v = array(field);
            var out = new ArrayList<String>(v.size());
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) throw wrongType(field + "[" + i + "]", v.get(i), "a string");
                out.add(v.get(i).asText());
            }
            return out;
        }

        /** An array of numbers, e.g. one time step's features. */
        public float[] numbers(String field) {
            JsonNode v = array(field);
            float[] out = new float[v.size()];
            for (int i = 0; i < out.length; i++) {
                if (!v.get(i).isNumber()) throw wrongType(field + "[" + i + "]", v.get(i), "a number");
                out[i] = v.get(i).floatValue();
            }
            return out;
        }

        /** An error at this line: "{@code file:line: detail}". */
        public InvalidDataException error(String detail) {
            return InvalidDataException.at(source, line, detail);
        }

        private JsonNode array(String field) {
            JsonNode v = get(field);
            if (!v.isArray()) throw wrongType(field, v, "an array");
            return v;
        }

        private InvalidDataException wrongType(String field, JsonNode v, String expected) {
            String shown = v.toString();
            if (shown.length() > 40) shown = shown.substring(0, 37) + "...";
            return error("field \"" + field + "\" holds " + kind(v) + " (" + shown + "); expected " + expected);
        }
    }
}
