package dev.recur.cli;

import dev.recur.data.Csv;
import dev.recur.data.DataFiles;
import dev.recur.data.Table;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.InvalidOptionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where the series of {@code recur forecast train} and {@code recur anomaly train} come from: a CSV file with a
 * header (or a bundled data set), its time and group columns, covariates, calendar features and gap filling.
 * Mixed in with {@code @Mixin}; the task names its own value columns.
 */
public final class SeriesOptions {
    /** Names a time column is found by when --time-column is not given. */
    private static final Set<String> TIME_NAMES = Set.of("time", "date", "datetime", "timestamp", "ds", "year", "month", "quarter", "week", "day", "period");

    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set or a CSV file with a header (.csv, .tsv, optionally .gz).")
    public String data;

    @Option(names = "--time-column", paramLabel = "NAME",
            description = "Column of the times: ISO dates or date-times (1969-01-01, 1949-01, 2000-06-05T00:30) or numbers (default: the first column named "
                    + "time, date, datetime, timestamp, ds, year, month, quarter, week, day or period, if any).")
    public String timeColumn;

    @Option(names = "--group-column", paramLabel = "NAME", description = "Column naming the series of each row: many series in one file, one model for all.")
    public String groupColumn;

    @Option(names = "--covariates", paramLabel = "COL", split = ",", description = "Columns known in advance (prices, holidays, weather forecasts), read at every step.")
    public List<String> covariates = new ArrayList<>();

    @Option(names = "--calendar", description = "Add calendar features from the time column: time of day, day of week, day of year, month or quarter, as its step suits.")
    public boolean calendar;

    @Option(names = "--fill", paramLabel = "MODE", defaultValue = "none",
            description = "Missing values (empty, NA, NaN): none (refuse them), previous or linear (default: ${DEFAULT-VALUE}).")
    public SeriesSpec.Fill fill;

    /** The file --data names ({@code bundled}: the task's bundled data sets). */
    public static Table read(String data, List<String> bundled) throws IOException {
        return Csv.read(DataFiles.resolve(data, null, null, bundled).train());
    }

    /** The data set's name, for default model names. */
    public String name(List<String> bundled) throws IOException {
        return DataFiles.resolve(data, null, null, bundled).name();
    }

    /** --time-column, or the first column with a time's name; null when there is none. */
    public String timeColumn(Table table) {
        if (timeColumn != null) return timeColumn;
        for (String c : table.columns()) if (TIME_NAMES.contains(c.strip().toLowerCase(Locale.ROOT))) return c;
        return null;
    }

    /**
     * The spec for {@code values} (null: every column that is not the time, group or a covariate, and whose first
     * row holds a number).
     */
    public SeriesSpec spec(Table table, List<String> values, String valueOption) {
        String time = timeColumn(table);
        if (calendar && time == null) throw new InvalidOptionException("--calendar needs a time column; name it with --time-column");
        if (values == null || values.isEmpty()) {
            values = new ArrayList<>();
            for (String c : table.columns()) {
                if (c.equals(time) || c.equals(groupColumn) || covariates.contains(c) || table.size() == 0) continue;
                if (number(table.rows().get(0).get(c))) values.add(c);
            }
            if (values.isEmpty()) throw new InvalidOptionException(table.source() + " has no numeric column to use; name them with " + valueOption);
        }
        return new SeriesSpec(values, time, covariates, calendar, groupColumn, fill);
    }

    private static boolean number(String cell) {
        try {
            Double.parseDouble(cell.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
