package dev.recur.task.forecast;

/**
 * One series read from a file: its targets over the observed points, its covariates over those points and any
 * future rows after them (rows whose targets are all empty, which carry the covariates a forecast needs), the
 * time axis and the file line of every point.
 *
 * @param group      the group column's value, or "" for a file of one series
 * @param values     [targets][T] observed values
 * @param covariates [covariates][T + future] values known in advance
 * @param time       the time column over the T + future points, or null when there is none
 * @param lines      the file line of each of the T + future points
 */
public record Series(String group, float[][] values, float[][] covariates, TimeAxis time, long[] lines) {

    /** Observed points T. */
    public int length() {
        return values[0].length;
    }

    /** Rows after the observed points that carry only covariates. */
    public int future() {
        return lines.length - length();
    }

    /** Target k at point t. */
    public float value(int k, int t) {
        return values[k][t];
    }

    /** "mote 2" for messages, or "the series" when there is a single one. */
    public String describe(String groupColumn) {
        return group.isEmpty() ? "the series" : groupColumn + " " + group;
    }

    /** The first {@code t} observed points, and no future rows. */
    public Series head(int t) {
        float[][] v = new float[values.length][];
        for (int k = 0; k < v.length; k++) v[k] = java.util.Arrays.copyOf(values[k], t);
        float[][] c = new float[covariates.length][];
        for (int k = 0; k < c.length; k++) c[k] = java.util.Arrays.copyOf(covariates[k], t);
        return new Series(group, v, c, time == null ? null : time.slice(0, t), java.util.Arrays.copyOf(lines, t));
    }
}
