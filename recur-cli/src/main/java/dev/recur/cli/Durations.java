package dev.recur.cli;

import dev.recur.tensor.InvalidOptionException;
import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/** Parses durations such as {@code 90s}, {@code 10m}, {@code 1h30m} or a plain number of seconds; they must be positive. */
public final class Durations implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|m|s)");

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase();
        long millis = v.matches("\\d+(\\.\\d+)?") ? (long) (Double.parseDouble(v) * 1000) : withUnits(value, v);
        if (millis <= 0) throw new InvalidOptionException("\"" + value + "\" is no time at all; give a positive duration, e.g. 90s or 10m");
        return Duration.ofMillis(millis);
    }

    private static long withUnits(String value, String v) {
        var m = PART.matcher(v);
        long millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) break;
            double n = Double.parseDouble(m.group(1));
            millis += (long) (n * switch (m.group(2)) { case "h" -> 3_600_000; case "m" -> 60_000; default -> 1000; });
            end = m.end();
        }
        if (end != v.length() || end == 0) {
            throw new InvalidOptionException("\"" + value + "\" is not a duration; use e.g. 90s, 10m or 1h30m");
        }
        return millis;
    }
}
