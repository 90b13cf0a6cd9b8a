package dev.recur.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named results of one validation or test, one of them primary, with the direction in which the primary is better.
 * The trainer keeps the weights of the best primary value, stops early and feeds plateau schedules with it; the
 * others are logged beside it.
 * <pre>
 * Metrics.lower("nats", 1.21).with("bits", 1.75)              // a language model: lower is better
 * Metrics.higher("f1", 0.873).with("accuracy", 0.951)         // a tagger: higher is better
 * </pre>
 *
 * @param primary the name of the value that decides "best", e.g. "f1"
 * @param better  whether higher or lower values of the primary are better
 * @param values  every value by name, the primary first
 */
public record Metrics(String primary, Better better, Map<String, Double> values) {

    /** Which way a metric improves. */
    public enum Better {
        LOWER, HIGHER;

        /** True when {@code value} is strictly better than {@code best}; anything beats NaN (no best yet). */
        public boolean improves(double value, double best) {
            if (Double.isNaN(best)) return !Double.isNaN(value);
            return this == LOWER ? value < best : value > best;
        }

        /** The value as a loss, lower being better: itself, or its negation. */
        public double asLoss(double value) {
            return this == LOWER ? value : -value;
        }
    }

    public Metrics {
        if (!values.containsKey(primary)) throw new IllegalArgumentException("the primary metric " + primary + " is not among " + values.keySet());
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** One metric, lower is better (a loss). */
    public static Metrics lower(String name, double value) {
        return new Metrics(name, Better.LOWER, Map.of(name, value));
    }

    /** One metric, higher is better (accuracy, F1). */
    public static Metrics higher(String name, double value) {
        return new Metrics(name, Better.HIGHER, Map.of(name, value));
    }

    /** These metrics and one more, logged beside the primary. */
    public Metrics with(String name, double value) {
        if (values.containsKey(name)) throw new IllegalArgumentException("metric " + name + " is given twice");
        var all = new LinkedHashMap<>(values);
        all.put(name, value);
        return new Metrics(primary, better, all);
    }

    /** The primary value. */
    public double value() {
        return values.get(primary);
    }

    /** A value by name. */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no metric " + name + "; have " + values.keySet());
        return v;
    }

    /** "f1 0.873 (higher is better), accuracy 0.951". */
    @Override
    public String toString() {
        var sb = new StringBuilder();
        values.forEach((name, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(name).append(' ').append(String.format("%.4g", v))
                .append(name.equals(primary) ? " (" + better.name().toLowerCase() + " is better)" : ""));
        return sb.toString();
    }
}
