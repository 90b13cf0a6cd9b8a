package dev.recur.cli.gradflow;

import dev.recur.nn.CellType;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** log₁₀ ‖∂L/∂h_t‖ against t: one colour per cell, dashed at initialisation, solid after training. */
final class GradflowPlot {
    private static final Map<CellType, Color> COLOURS = Map.of(CellType.RNN, new Color(0xD62728), CellType.LSTM,
            new Color(0x1F77B4), CellType.GRU, new Color(0x2CA02C));

    private record Line(CellType cell, String when, double[] norms) {}

    private final int steps;
    private final List<Line> lines = new ArrayList<>();

    GradflowPlot(int steps) {
        this.steps = steps;
    }

    void add(CellType cell, String when, double[] norms) {
        lines.add(new Line(cell, when, norms.clone()));
    }

    /** Writes the PNG atomically (temporary file, then move). */
    void write(Path file, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(560).title(title).xAxisTitle("time step t")
                .yAxisTitle("log₁₀ ‖∂L/∂h_t‖").build();
        // log₁₀ of the norm on a linear axis rather than the norm on XChart's log axis, which labels every decade:
        // over the forty decades of a vanishing RNN gradient its labels ran into one another.
        // XChart puts a tick on every second or fourth step; label only round ones so the numbers stay apart
        // (the others get a space: XChart cannot lay out an empty label).
        long every = 10L * Math.max(1, Math.round(steps / 100.0));
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) steps)
                .setxAxisTickLabelsFormattingFunction(t -> Math.round(t) % every == 0 ? String.valueOf(Math.round(t)) : " ");
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        for (Line line : lines) {
            // A logarithm cannot show zero: a gradient that underflowed float32 is left out.
            var t = new ArrayList<Double>();
            var y = new ArrayList<Double>();
            for (int i = 0; i < line.norms().length; i++) {
                if (line.norms()[i] > 0) {
                    t.add(i + 1.0);
                    y.add(Math.log10(line.norms()[i]));
                }
            }
            if (t.isEmpty()) continue;
            XYSeries s = chart.addSeries(line.cell().name().toLowerCase() + ", " + line.when(), t, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(COLOURS.get(line.cell()));
            boolean init = line.when().equals("init");
            s.setLineStyle(init ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2.5f));
        }
        dev.recur.cli.Png.write(file, chart);
    }
}
