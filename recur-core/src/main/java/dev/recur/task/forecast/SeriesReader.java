package dev.recur.task.forecast;

import dev.recur.data.InvalidDataException;
import dev.recur.data.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the series of a CSV {@link Table} as a {@link SeriesSpec} names them: one per group (in order of first
 * appearance, rows in file order within a group), numbers parsed and checked, missing values (empty, NA, NaN,
 * null) filled or refused with file, line and column.
 * <pre>
 * List&lt;Series&gt; all = SeriesReader.read(Csv.read(path), spec, false);
 * </pre>
 */
public final class SeriesReader {
    private static final Set<String> MISSING = Set.of("", "na", "nan", "null", "n/a", "?");

    private SeriesReader() {}

    /**
     * @param future whether trailing rows whose targets are all missing are future rows (for a forecast past the
     *               end of the file); otherwise a missing target there is an error like any other
     */
    public static List<Series> read(Table table, SeriesSpec spec, boolean future) {
        var columns = new ArrayList<String>(spec.targets());
        columns.addAll(spec.covariates());
        if (spec.timeColumn() != null) columns.add(spec.timeColumn());
        if (spec.groupColumn() != null) columns.add(spec.groupColumn());
        table.require(columns.toArray(String[]::new));
        for (String c : spec.covariates()) {
            if (spec.targets().contains(c)) throw InvalidDataException.in(table.source(), "column \"" + c + "\" is both a target and a covariate");
        }
        if (table.size() == 0) throw InvalidDataException.in(table.source(), "the file has a header but no rows");

        var groups = new LinkedHashMap<String, List<Table.Row>>();
        for (Table.Row row : table.rows()) {
            String g = spec.groupColumn() == null ? "" : row.get(spec.groupColumn()).strip();
            groups.computeIfAbsent(g, k -> new ArrayList<>()).add(row);
        }
        var series = new ArrayList<Series>();
        for (Map.Entry<String, List<Table.Row>> e : groups.entrySet()) series.add(one(e.getKey(), e.getValue(), spec, future));
        return series;
    }

    private static Series one(String group, List<Table.Row> rows, SeriesSpec spec, boolean future) {
        int n = rows.size();
        int observed = n;
        if (future) {
            while (observed > 0 && allMissing(rows.get(observed - 1), spec.targets())) observed--;
        }
        if (observed == 0) throw rows.get(0).error("every row of " + (group.isEmpty() ? "the file" : "group " + group) + " lacks its target values");
        float[][] values = new float[spec.targets().size()][];
        for (int k = 0; k < values.length; k++) values[k] = column(rows, observed, spec.targets().get(k), spec.fill());
        float[][] covariates = new float[spec.covariates().size()][];
        for (int k = 0; k < covariates.length; k++) covariates[k] = column(rows, n, spec.covariates().get(k), spec.fill());
        TimeAxis time = null;
        if (spec.timeColumn() != null) {
            var cells = rows.stream().map(r -> r.get(spec.timeColumn())).toList();
            time = TimeAxis.parse(cells, (i, msg) -> rows.get(i).error("column \"" + spec.timeColumn() + "\": " + msg));
            if (spec.calendar() && time.calendarProblem() != null) {
                throw rows.get(0).error("no calendar features from column \"" + spec.timeColumn() + "\": " + time.calendarProblem());
            }
        }
        long[] lines = rows.stream().mapToLong(Table.Row::line).toArray();
        return new Series(group, values, covariates, time, lines);
    }

    private static boolean allMissing(Table.Row row, List<String> columns) {
        for (String c : columns) if (!missing(row.get(c))) return false;
        return true;
    }

    private static boolean missing(String cell) {
        return MISSING.contains(cell.strip().toLowerCase(Locale.ROOT));
    }

    /** The first {@code n} rows' values in {@code column}, gaps filled as {@code fill} says. */
    private static float[] column(List<Table.Row> rows, int n, String column, SeriesSpec.Fill fill) {
        float[] v = new float[n];
        boolean[] gap = new boolean[n];
        int gaps = 0;
        for (int i = 0; i < n; i++) {
            Table.Row row = rows.get(i);
            String cell = row.get(column);
            if (missing(cell)) {
                if (fill == SeriesSpec.Fill.NONE) {
                    throw row.error("column \"" + column + "\" has no value" + (cell.isBlank() ? "" : " (\"" + cell.strip() + "\")")
                            + "; fill gaps with --fill previous or --fill linear");
                }
                gap[i] = true;
                gaps++;
                continue;
            }
            double d;
            if (cell.strip().toLowerCase(Locale.ROOT).matches("[+-]?inf(inity)?")) throw row.error("column \"" + column + "\": " + cell.strip() + " is not a finite number");
            try {
                d = Double.parseDouble(cell.strip());
            } catch (NumberFormatException e) {
                throw row.error("column \"" + column + "\": \"" + cell + "\" is not a number");
            }
            if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) throw row.error("column \"" + column + "\": " + cell.strip() + " is not a finite number");
            v[i] = (float) d;
        }
        if (gaps == n) throw rows.get(0).error("column \"" + column + "\" has no values at all");
        if (gaps > 0) fill(v, gap, fill);
        return v;
    }

    private static void fill(float[] v, boolean[] gap, SeriesSpec.Fill fill) {
        int n = v.length, first = 0;
        while (gap[first]) first++;
        for (int i = 0; i < first; i++) v[i] = v[first];
        int last = first;
        for (int i = first + 1; i < n; i++) {
            if (gap[i]) continue;
            for (int j = last + 1; j < i; j++) {
                v[j] = fill == SeriesSpec.Fill.PREVIOUS ? v[last] : v[last] + (v[i] - v[last]) * (j - last) / (float) (i - last);
            }
            last = i;
        }
        for (int j = last + 1; j < n; j++) v[j] = v[last];
    }
}
