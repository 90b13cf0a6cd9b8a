package dev.recur.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** Draws a confusion matrix (rows gold, columns predicted) as a PNG heat map with the counts written in its cells. */
public final class ConfusionPlot {
    private ConfusionPlot() {}

    public static void write(Path file, String title, List<String> labels, long[][] confusion) throws IOException {
        int k = labels.size(), side = Math.max(420, Math.min(1200, 120 + 60 * k));
        HeatMapChart chart = new HeatMapChartBuilder().width(side).height(side).title(title).xAxisTitle("predicted").yAxisTitle("gold").build();
        chart.getStyler().setShowValue(k <= 20);
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setRangeColors(new java.awt.Color[] {new java.awt.Color(0xF7FBFF), new java.awt.Color(0x6BAED6), new java.awt.Color(0x08306B)});
        var heat = new ArrayList<Number[]>();
        for (int gold = 0; gold < k; gold++) {
            for (int predicted = 0; predicted < k; predicted++) heat.add(new Number[] {predicted, k - 1 - gold, confusion[gold][predicted]});
        }
        var reversed = new ArrayList<>(labels);
        java.util.Collections.reverse(reversed);
        chart.addSeries("confusion", labels, reversed, heat);
        Png.write(file, chart);
    }
}
