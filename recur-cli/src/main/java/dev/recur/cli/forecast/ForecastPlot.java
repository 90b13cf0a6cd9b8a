package dev.recur.cli.forecast;

import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a series' recent history, its forecast and the 80% interval, one chart per target, stacked. */
final class ForecastPlot {
    private static final java.awt.Color BAND = new java.awt.Color(255, 160, 80, 110);

    private ForecastPlot() {}

    static void write(Path file, String name, ForecasterConfig c, Series s, float[][] mean, float[][][] quantiles) throws IOException {
        int h = mean.length, t0 = Math.max(0, s.length() - Math.max(4 * h, Math.min(c.context(), 8 * h)));
        int lower = indexOf(c.quantiles(), 0.1f), upper = indexOf(c.quantiles(), 0.9f);
        var charts = new ArrayList<XYChart>();
        for (int k = 0; k < c.targets(); k++) {
            String target = c.spec().targets().get(k);
            XYChart chart = new XYChartBuilder().width(900).height(c.targets() > 1 ? 320 : 450)
                    .title(target + (s.group().isEmpty() ? "" : " (" + c.spec().groupColumn() + " " + s.group() + ")") + ": " + name)
                    .xAxisTitle(c.spec().timeColumn() != null ? c.spec().timeColumn() : "point")
                    .yAxisTitle(target).build();
            chart.getStyler().setMarkerSize(0);
            chart.getStyler().setTimezone(java.util.TimeZone.getTimeZone("UTC"));
            if (dates(s)) chart.getStyler().setDatePattern(s.time().step().compareTo(java.time.Duration.ofDays(1)) < 0 ? "MM-dd HH:mm" : "yyyy-MM-dd");
            var x = new ArrayList<Object>();
            var y = new ArrayList<Double>();
            for (int t = t0; t < s.length(); t++) {
                x.add(position(s, t));
                y.add((double) s.value(k, t));
            }
            chart.addSeries("history", x, y).setMarker(SeriesMarkers.NONE);
            var fx = new ArrayList<Object>(List.of(position(s, s.length() - 1)));
            var fy = new ArrayList<Double>(List.of((double) s.value(k, s.length() - 1)));
            var lo = new ArrayList<Double>(fy);
            var hi = new ArrayList<Double>(fy);
            for (int step = 0; step < h; step++) {
                fx.add(position(s, s.length() + step));
                fy.add((double) mean[step][k]);
                if (lower >= 0 && upper >= 0) {
                    lo.add((double) quantiles[lower][step][k]);
                    hi.add((double) quantiles[upper][step][k]);
                }
            }
            if (lower >= 0 && upper >= 0) {
                XYSeries band = chart.addSeries("80% interval", fx, hi, null);
                band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
                band.setMarker(SeriesMarkers.NONE);
                band.setFillColor(BAND);
                band.setLineColor(BAND);
                XYSeries floor = chart.addSeries("lower", fx, lo, null);
                floor.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
                floor.setMarker(SeriesMarkers.NONE);
                floor.setFillColor(java.awt.Color.WHITE);
                floor.setLineColor(BAND);
                floor.setShowInLegend(false);
            }
            chart.addSeries("forecast", fx, fy).setMarker(SeriesMarkers.NONE).setLineColor(new java.awt.Color(200, 60, 20));
            chart.getStyler().setPlotGridLinesVisible(true);
            charts.add(chart);
        }
        dev.recur.cli.Png.write(file, charts);
    }

    /** Point t on the x axis: its date, or its number. */
    private static Object position(Series s, int t) {
        if (dates(s)) return java.util.Date.from(s.time().time(t).toInstant(java.time.ZoneOffset.UTC));
        return s.time() != null ? s.time().position(t) : (double) t;
    }

    private static boolean dates(Series s) {
        return s.time() != null && s.time().isDate();
    }

    private static int indexOf(float[] levels, float level) {
        for (int i = 0; i < levels.length; i++) if (Math.abs(levels[i] - level) < 1e-6) return i;
        return -1;
    }
}
