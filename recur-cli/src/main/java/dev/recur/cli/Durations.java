package dev.recur.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Parses durations such as {@code 90s}, {@code 10m}, {@code 1h30m} or a plain number of seconds. */
public final class Durations implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase();
        if (v.matches("\\d+(\\.\\d+)?")) return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
        var m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(h|m|s)").matcher(v);
        long millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) break;
            double n = Double.parseDouble(m.group(1));
            millis += (long) (n * switch (m.group(2)) { case "h" -> 3_600_000; case "m" -> 60_000; default -> 1000; });
            end = m.end();
        }
        if (end != v.length() || end == 0) {
            throw new IllegalArgumentException("\"" + value + "\" is not a duration; use e.g. 90s, 10m or 1h30m");
        }
        return Duration.ofMillis(millis);
    }
}
