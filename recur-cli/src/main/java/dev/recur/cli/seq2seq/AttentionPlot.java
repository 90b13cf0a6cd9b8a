package dev.recur.cli.seq2seq;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** Draws attention weights as a PNG heat map: source symbols along x, output symbols down y. */
final class AttentionPlot {
    private AttentionPlot() {}

    static void write(Path file, List<String> source, List<String> output, float[][] weights) throws IOException {
        int s = source.size(), t = Math.min(output.size(), weights.length);
        // Columns as wide as the longest source label (words need more room than letters).
        int widest = source.stream().mapToInt(String::length).max().orElse(1), columns = s * Math.max(28, 9 * widest + 12);
        int width = Math.max(420, Math.min(2400, 160 + columns)), height = Math.max(360, Math.min(1800, 140 + 26 * t));
        HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).title("attention").xAxisTitle("source").yAxisTitle("output").build();
        chart.getStyler().setPlotContentSize(1.0);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setRangeColors(new java.awt.Color[] {new java.awt.Color(0xFFFFFF), new java.awt.Color(0x6BAED6), new java.awt.Color(0x08306B)});
        // Axis labels must be distinct: number repeated symbols.
        List<String> xs = distinct(source), ys = distinct(output.subList(0, t));
        var heat = new ArrayList<Number[]>();
        for (int y = 0; y < t; y++) for (int x = 0; x < s; x++) heat.add(new Number[] {x, t - 1 - y, x < weights[y].length ? weights[y][x] : 0});
        var reversed = new ArrayList<>(ys);
        Collections.reverse(reversed);
        chart.addSeries("attention", xs, reversed, heat);
        dev.recur.cli.Png.write(file, chart);
    }

    private static List<String> distinct(List<String> labels) {
        var seen = new java.util.HashMap<String, Integer>();
        var out = new ArrayList<String>();
        for (String l : labels) {
            String shown = l.equals(" ") ? "␣" : l;
            int n = seen.merge(shown, 1, Integer::sum);
            out.add(n == 1 ? shown : shown + "·" + n);
        }
        return out;
    }
}
