package dev.recur.task.forecast;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The time column of a series: numbers (e.g. years) or dates and times in ISO form ({@code 1949-01},
 * {@code 1969-01-01}, {@code 2000-06-05T00:30}, {@code 2000-06-05 00:30:00}), one format per column. It knows the
 * step between points (whole months, or a duration), continues the axis past its end for forecasts, guesses the
 * season and derives calendar features.
 * <pre>
 * TimeAxis t = TimeAxis.parse(List.of("1949-01", "1949-02", "1949-03"), (i, msg) -> ...);
 * t.label(3);          // "1949-04", the first point after the end
 * t.season();          // 12
 * t.calendarSize();    // 12: the month, one-hot
 * </pre>
 */
public final class TimeAxis {
    /** How a column's cells are written. */
    enum Format {
        NUMBER(null), MONTH("yyyy-MM"), DATE("yyyy-MM-dd"), MINUTE("yyyy-MM-dd'T'HH:mm"), SECOND("yyyy-MM-dd'T'HH:mm:ss"),
        SPACE_MINUTE("yyyy-MM-dd HH:mm"), SPACE_SECOND("yyyy-MM-dd HH:mm:ss");

        final DateTimeFormatter formatter;

        Format(String pattern) {
            this.formatter = pattern == null ? null : DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
        }

        static Format of(String cell) {
            String s = cell.strip();
            if (s.matches("\\d{4}-\\d{2}")) return MONTH;
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) return DATE;
            if (s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}")) return MINUTE;
            if (s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}")) return SECOND;
            if (s.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}")) return SPACE_MINUTE;
            if (s.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}")) return SPACE_SECOND;
            return NUMBER;
        }

        LocalDateTime parse(String cell) {
            String s = cell.strip();
            return switch (this) {
                case NUMBER -> throw new IllegalStateException();
                case MONTH -> LocalDate.parse(s + "-01").atStartOfDay();
                case DATE -> LocalDate.parse(s).atStartOfDay();
                default -> LocalDateTime.parse(s, formatter);
            };
        }
    }

    private final Format format;
    private final double[] numbers;          // NUMBER
    private final LocalDateTime[] times;     // the others
    private final long months;               // the step in whole months, or 0
    private final Duration step;             // the step when it is not whole months
    private final double numberStep;

    private TimeAxis(Format format, double[] numbers, LocalDateTime[] times) {
        this.format = format;
        this.numbers = numbers;
        this.times = times;
        int n = format == Format.NUMBER ? numbers.length : times.length;
        if (format == Format.NUMBER) {
            this.numberStep = n < 2 ? 1 : median(n - 1, i -> numbers[i + 1] - numbers[i]);
            this.months = 0;
            this.step = null;
        } else {
            boolean monthly = n >= 2;
            for (int i = 1; i < n && monthly; i++) {
                monthly = times[i].getDayOfMonth() == times[0].getDayOfMonth() && times[i].toLocalTime().equals(times[0].toLocalTime())
                        && ChronoUnit.MONTHS.between(times[i - 1], times[i]) >= 1;
            }
            this.months = monthly ? (long) median(n - 1, i -> ChronoUnit.MONTHS.between(times[i], times[i + 1])) : 0;
            this.step = monthly ? null : Duration.ofSeconds(n < 2 ? 86400 : (long) median(n - 1, i -> Duration.between(times[i], times[i + 1]).getSeconds()));
            this.numberStep = 0;
        }
    }

    /**
     * Parses a column's cells, all in the format of the first; {@code error} builds the exception for cell i
     * ("is not a date ...").
     */
    public static TimeAxis parse(List<String> cells, BiFunction<Integer, String, RuntimeException> error) {
        if (cells.isEmpty()) return new TimeAxis(Format.NUMBER, new double[0], null);
        Format format = Format.of(cells.get(0));
        if (format == Format.NUMBER) {
            double[] v = new double[cells.size()];
            for (int i = 0; i < v.length; i++) {
                try {
                    v[i] = Double.parseDouble(cells.get(i).strip());
                } catch (NumberFormatException e) {
                    throw error.apply(i, "\"" + cells.get(i) + "\" is neither a number nor an ISO date (1969-01-01, 1949-01, 2000-06-05T00:30)");
                }
                if (!Double.isFinite(v[i])) throw error.apply(i, "\"" + cells.get(i) + "\" is not a finite time");
            }
            return new TimeAxis(format, v, null);
        }
        var t = new LocalDateTime[cells.size()];
        for (int i = 0; i < t.length; i++) {
            String cell = cells.get(i);
            if (Format.of(cell) != format) {
                throw error.apply(i, "\"" + cell + "\" is not written like the column's first time \"" + cells.get(0).strip() + "\"");
            }
            try {
                t[i] = format.parse(cell);
            } catch (DateTimeParseException e) {
                throw error.apply(i, "\"" + cell + "\" is not a valid date or time");
            }
            if (i > 0 && !t[i].isAfter(t[i - 1])) {
                throw error.apply(i, "time " + cell + " does not come after the previous row's " + cells.get(i - 1).strip()
                        + "; sort the file by time (within each group)");
            }
        }
        return new TimeAxis(format, null, t);
    }

    /** Number of points on the axis. */
    public int size() {
        return format == Format.NUMBER ? numbers.length : times.length;
    }

    public boolean isDate() {
        return format != Format.NUMBER;
    }

    /** The time of point {@code i}, which may lie past the end (continued by the median step), written as the column writes it. */
    public String label(int i) {
        if (format == Format.NUMBER) {
            double v = i < numbers.length ? numbers[i] : numbers[numbers.length - 1] + (i - numbers.length + 1) * numberStep;
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
        LocalDateTime t = time(i);
        return format == Format.MONTH ? t.format(DateTimeFormatter.ofPattern("yyyy-MM")) : t.format(format.formatter);
    }

    /** The date and time of point {@code i}, continued past the end by the step. */
    public LocalDateTime time(int i) {
        if (i < times.length) return times[i];
        long k = i - times.length + 1;
        LocalDateTime last = times[times.length - 1];
        return months > 0 ? last.plusMonths(k * months) : last.plus(step.multipliedBy(k));
    }

    /** Point {@code i}'s position as a number (the value, or epoch days), for plots. */
    public double position(int i) {
        if (format == Format.NUMBER) return i < numbers.length ? numbers[i] : numbers[numbers.length - 1] + (i - numbers.length + 1) * numberStep;
        LocalDateTime t = time(i);
        return t.toLocalDate().toEpochDay() + t.toLocalTime().toSecondOfDay() / 86400.0;
    }

    /** The step between dates, a month counted as 30 days; null for numbers. */
    public Duration step() {
        return format == Format.NUMBER ? null : months > 0 ? Duration.ofDays(30 * months) : step;
    }

    /** A usual season for the step: 48 half-hours or 24 hours a day, 7 days a week, 52 weeks, 12 months or 4 quarters a year; 0 when none. */
    public int season() {
        if (format == Format.NUMBER) return 0;
        if (months == 1) return 12;
        if (months == 3) return 4;
        if (months > 0) return 0;
        long s = step.getSeconds();
        if (s == 1800) return 48;
        if (s == 3600) return 24;
        if (s == 86400) return 7;
        if (s == 7 * 86400) return 52;
        return 0;
    }

    /** The calendar features per point for this step: see {@link #calendar}. */
    public int calendarSize() {
        return calendarKind().size;
    }

    /**
     * Calendar features of point {@code i} (past the end too) into {@code out[from..]}: below a day, the time of
     * day as sines and cosines of two harmonics and the day of the week one-hot; daily, the day of the week one-hot
     * and the day of the year as two harmonics; weekly, the week of the year as two harmonics; monthly, the month
     * one-hot; quarterly, the quarter one-hot.
     */
    public void calendar(int i, float[] out, int from) {
        Calendar kind = calendarKind();
        Arrays.fill(out, from, from + kind.size, 0f);
        LocalDateTime t = time(i);
        switch (kind) {
            case INTRADAY -> {
                harmonics(t.toLocalTime().toSecondOfDay() / 86400.0, out, from);
                out[from + 4 + dayOfWeek(t)] = 1;
            }
            case DAILY -> {
                out[from + dayOfWeek(t)] = 1;
                harmonics((t.getDayOfYear() - 1) / (double) t.toLocalDate().lengthOfYear(), out, from + 7);
            }
            case WEEKLY -> harmonics((t.getDayOfYear() - 1) / (double) t.toLocalDate().lengthOfYear(), out, from);
            case MONTHLY -> out[from + t.getMonthValue() - 1] = 1;
            case QUARTERLY -> out[from + (t.getMonthValue() - 1) / 3] = 1;
            case NONE -> {}
        }
    }

    private enum Calendar {
        NONE(0), INTRADAY(11), DAILY(11), WEEKLY(4), MONTHLY(12), QUARTERLY(4);
        final int size;

        Calendar(int size) {
            this.size = size;
        }
    }

    private Calendar calendarKind() {
        if (format == Format.NUMBER) return Calendar.NONE;
        if (months == 1) return Calendar.MONTHLY;
        if (months == 3) return Calendar.QUARTERLY;
        if (months > 0) return Calendar.NONE;
        long s = step.getSeconds();
        if (s < 86400) return Calendar.INTRADAY;
        if (s < 7 * 86400) return Calendar.DAILY;
        if (s < 28 * 86400) return Calendar.WEEKLY;
        return Calendar.NONE;
    }

    /** Why calendar features cannot be derived, or null when they can. */
    public String calendarProblem() {
        if (format == Format.NUMBER) return "the time column holds numbers, not dates";
        if (calendarKind() == Calendar.NONE) return "the step between times (" + (months > 0 ? months + " months" : step) + ") has no calendar features";
        return null;
    }

    private static int dayOfWeek(LocalDateTime t) {
        return t.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue();
    }

    private static void harmonics(double phase, float[] out, int from) {
        for (int k = 1; k <= 2; k++) {
            out[from + 2 * (k - 1)] = (float) Math.sin(2 * Math.PI * k * phase);
            out[from + 2 * (k - 1) + 1] = (float) Math.cos(2 * Math.PI * k * phase);
        }
    }

    private static double median(int n, java.util.function.IntToDoubleFunction diff) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = diff.applyAsDouble(i);
        Arrays.sort(d);
        return d[n / 2];
    }

    /** The axis of points {@code from..to} (exclusive), e.g. one group's rows. */
    public TimeAxis slice(int from, int to) {
        return format == Format.NUMBER ? new TimeAxis(format, Arrays.copyOfRange(numbers, from, to), null)
                : new TimeAxis(format, null, Arrays.copyOfRange(times, from, to));
    }

    @Override
    public String toString() {
        return size() == 0 ? "TimeAxis(empty)" : "TimeAxis(" + label(0) + " .. " + label(size() - 1) + ", " + size() + " points)";
    }
}
