package dev.recur.task.forecast;

import java.util.List;

/**
 * Which columns of a CSV file make the series: the targets (forecast jointly), an optional time column, covariates
 * known in advance, calendar features derived from the time column, an optional group column (many series in one
 * file, in file order within each group) and how missing values are filled.
 * <pre>
 * new SeriesSpec(List.of("demand"), "time", List.of(), true, null, Fill.NONE)
 * </pre>
 *
 * @param timeColumn  null for none: points are then numbered
 * @param groupColumn null for one series
 */
public record SeriesSpec(List<String> targets, String timeColumn, List<String> covariates, boolean calendar, String groupColumn, Fill fill) {

    /** What to do with a missing value (an empty cell, NA, NaN or null). */
    public enum Fill {
        /** refuse it, naming file, line and column */
        NONE,
        /** the previous value of the same column (the next one for leading gaps) */
        PREVIOUS,
        /** linear interpolation between the neighbouring values (the nearest one at either end) */
        LINEAR
    }

    public SeriesSpec {
        if (targets == null || targets.isEmpty()) throw new IllegalArgumentException("at least one target column is needed");
        targets = List.copyOf(targets);
        covariates = covariates == null ? List.of() : List.copyOf(covariates);
        if (fill == null) fill = Fill.NONE;
        if (calendar && timeColumn == null) throw new IllegalArgumentException("calendar features need a time column");
    }
}
