package dev.recur.cli.model;

import dev.recur.data.InvalidDataException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Tensors as nested JSON arrays, {@code [[[0.1, 0.2], ...]]} for a rank-3 tensor, both ways. Reading checks the
 * nesting depth, that the arrays are not ragged, each axis' length against what is expected of it, and that
 * every element is a finite number; a problem names the array, where in it, what was expected and what was found:
 * {@code X.json: "input" has 7 features at [0][2]; the model expects input_size=3}.
 */
public final class NestedArrays {

    /**
     * One axis of a nested array: what its elements are called ("time steps", "features") and how long it must be.
     * {@code expected} −1 means any length, fixed by the first array met at that depth; {@code why} says where
     * the expected length comes from ("the model expects input_size=3").
     */
    public record Axis(String noun, int expected, String why) {
        public static Axis any(String noun) {
            return new Axis(noun, -1, null);
        }
    }

    private NestedArrays() {}

    /** Reads {@code node} as a tensor with one axis per {@code axes}; {@code source} and {@code name} start messages. */
    public static Tensor read(String source, String name, JsonNode node, List<Axis> axes) {
        int[] shape = new int[axes.size()];
        Arrays.fill(shape, -1);
        String layout = axes.stream().map(a -> "[" + a.noun() + "]").collect(Collectors.joining());
        measure(source, name, node, axes, 0, "", shape, layout);
        float[] data = new float[Tensor.sizeOf(shape)];
        fill(source, name, node, "", data, new int[] {0});
        return Tensor.of(data, shape);
    }

    /** Checks nesting and lengths depth-first, fixing each free axis from the first array met. */
    private static void measure(String source, String name, JsonNode node, List<Axis> axes, int depth, String at, int[] shape, String layout) {
        Axis axis = axes.get(depth);
        if (!node.isArray()) {
            throw bad(source, "\"" + name + "\"" + at + " is " + describe(node) + "; expected an array of " + axis.noun()
                    + " (" + name + " is nested " + layout + ")");
        }
        int n = node.size();
        boolean last = depth + 1 == axes.size();
        for (int i = 0; last && i < n; i++) {
            if (node.get(i).isArray() || node.get(i).isObject()) {
                throw bad(source, "\"" + name + "\"" + at + "[" + i + "] is " + describe(node.get(i)) + "; expected a number ("
                        + name + " is nested " + layout + ", " + axes.size() + " levels deep)");
            }
        }
        if (n == 0) throw bad(source, "\"" + name + "\"" + at + " is empty; expected at least one of its " + axis.noun());
        if (axis.expected() >= 0 && n != axis.expected()) {
            throw bad(source, "\"" + name + "\" has " + count(n, axis.noun()) + where(at) + "; " + axis.why());
        }
        if (shape[depth] < 0) shape[depth] = n;
        else if (n != shape[depth]) {
            throw bad(source, "\"" + name + "\" has " + count(n, axis.noun()) + where(at) + "; expected " + shape[depth]
                    + " as at " + firstIndex(depth) + " (ragged arrays)");
        }
        for (int i = 0; !last && i < n; i++) measure(source, name, node.get(i), axes, depth + 1, at + "[" + i + "]", shape, layout);
    }

    /** Copies the numbers in row-major order; every one must be finite in float32. */
    private static void fill(String source, String name, JsonNode node, String at, float[] data, int[] next) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) fill(source, name, node.get(i), at + "[" + i + "]", data, next);
            return;
        }
        if (!node.isNumber()) throw bad(source, "\"" + name + "\"" + at + " is " + describe(node) + "; expected a number");
        double v = node.asDouble();
        if (!Double.isFinite(v)) throw bad(source, "\"" + name + "\"" + at + " is " + v + "; expected a finite number");
        if (!Float.isFinite((float) v)) throw bad(source, "\"" + name + "\"" + at + " is " + v + ", beyond float32's range (±3.4e38)");
        data[next[0]++] = (float) v;
    }

    /** {@code t} as nested arrays, one level per axis. */
    public static ArrayNode write(Tensor t) {
        return write(t.data(), t.offset(), t.shape(), 0);
    }

    private static ArrayNode write(float[] data, int offset, int[] shape, int depth) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode(shape[depth]);
        int stride = 1;
        for (int k = depth + 1; k < shape.length; k++) stride *= shape[k];
        for (int i = 0; i < shape[depth]; i++) {
            if (depth + 1 == shape.length) a.add(data[offset + i]);
            else a.add(write(data, offset + i * stride, shape, depth + 1));
        }
        return a;
    }

    public static String describe(JsonNode node) {
        if (node.isTextual()) return shorten(node.toString()) + " (a string)";
        if (node.isBoolean()) return node + " (a boolean)";
        if (node.isNull()) return "null";
        if (node.isObject()) return "an object";
        if (node.isArray()) return "an array";
        return "the number " + node;
    }

    /** "1 sequence", "3 sequences". */
    static String count(int n, String plural) {
        return n + " " + (n == 1 && plural.endsWith("s") && !plural.contains("×") ? plural.substring(0, plural.length() - 1) : plural);
    }

    private static String where(String at) {
        return at.isEmpty() ? "" : " at " + at;
    }

    private static String firstIndex(int depth) {
        return depth == 0 ? "the top" : "[0]".repeat(depth);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...\"";
    }

    public static InvalidDataException bad(String source, String detail) {
        return new InvalidDataException(source + ": " + detail);
    }
}
