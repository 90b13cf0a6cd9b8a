package dev.recur.cli.anomaly;

import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.forecast.Series;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a group's watched columns with the flagged rows marked, and its score against the threshold below them. */
final class AnomalyPlot {
    private AnomalyPlot() {}

    static void write(Path file, String name, AnomalyDetector d, Series s, float[] score, boolean[] flags, double threshold, int fromRow) throws IOException {
        var charts = new ArrayList<XYChart>();
        String title = name + (s.group().isEmpty() ? "" : ", " + d.config().spec().groupColumn() + " " + s.group());
        List<String> columns = d.config().spec().targets();
        int from = Math.min(fromRow, s.length() - 1);
        for (int k = 0; k < columns.size(); k++) {
            XYChart c = new XYChartBuilder().width(1000).height(260).title(k == 0 ? title : "").xAxisTitle("row").yAxisTitle(columns.get(k)).build();
            c.getStyler().setMarkerSize(5);
            var x = new ArrayList<Double>();
            var y = new ArrayList<Double>();
            var fx = new ArrayList<Double>();
            var fy = new ArrayList<Double>();
            for (int t = from; t < s.length(); t++) {
                x.add((double) t);
                y.add((double) s.value(k, t));
                if (flags[t]) {
                    fx.add((double) t);
                    fy.add((double) s.value(k, t));
                }
            }
            c.addSeries(columns.get(k), x, y).setMarker(SeriesMarkers.NONE);
            if (!fx.isEmpty()) {
                XYSeries flagged = c.addSeries("flagged", fx, fy);
                flagged.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                flagged.setMarkerColor(new java.awt.Color(220, 30, 30));
            }
            charts.add(c);
        }
        XYChart c = new XYChartBuilder().width(1000).height(260).title("").xAxisTitle("row").yAxisTitle("score").build();
        var x = new ArrayList<Double>();
        var y = new ArrayList<Double>();
        for (int t = from; t < s.length(); t++) {
            if (Float.isNaN(score[t])) continue;
            x.add((double) t);
            y.add((double) score[t]);
        }
        if (!x.isEmpty()) {
            c.addSeries("score", x, y).setMarker(SeriesMarkers.NONE);
            c.addSeries("threshold", List.of(x.get(0), x.get(x.size() - 1)), List.of(threshold, threshold)).setMarker(SeriesMarkers.NONE)
                    .setLineColor(new java.awt.Color(220, 30, 30));
            c.getStyler().setYAxisLogarithmic(y.stream().allMatch(v -> v > 0));
        }
        charts.add(c);
        dev.recur.cli.Png.write(file, charts);
    }
}
