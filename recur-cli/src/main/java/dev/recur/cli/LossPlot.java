package dev.recur.cli;

import dev.recur.train.Metrics;
import dev.recur.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Collects the training loss and validation metric and draws them as a PNG. */
public final class LossPlot implements TrainingListener {
    private final String metricName;
    private final List<Double> steps = new ArrayList<>(), losses = new ArrayList<>();
    private final List<Double> evalSteps = new ArrayList<>(), metrics = new ArrayList<>();
    private double smoothed = Double.NaN;
    private Metrics lastValidation;

    /** {@code metricName} labels the y axis, e.g. "bits per character". */
    public LossPlot(String metricName) {
        this.metricName = metricName;
    }

    @Override
    public void stepped(StepReport r) {
        smoothed = Double.isNaN(smoothed) ? r.loss() : 0.95 * smoothed + 0.05 * r.loss();
        steps.add((double) r.step());
        losses.add(smoothed);
    }

    @Override
    public void evaluated(long step, Metrics validation, boolean best) {
        evalSteps.add((double) step);
        metrics.add(validation.value());
        lastValidation = validation;
    }

    /** Writes the chart; the loss is scaled by {@code scale} (e.g. 1/ln 2 for bits). */
    public void write(Path file, String title, double scale) throws IOException {
        if (steps.isEmpty()) return;
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").yAxisTitle(metricName).build();
        chart.getStyler().setMarkerSize(6);
        // The step axis from 0 to a round number past the last step. XChart puts the ticks of evenly spaced x values
        // (steps 1, 2, 3, …) at data points and let four-digit labels run into one another; with the round end the
        // axis values are no longer evenly spaced, and it picks round ticks (0, 500, 1,000, …).
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(roundEndAfter(steps.get(steps.size() - 1)));
        chart.addSeries("training (smoothed)", steps, scaled(losses, scale)).setMarker(SeriesMarkers.NONE);
        if (!evalSteps.isEmpty() && ownAxis(lastValidation)) {
            // A score that is better higher (accuracy, F1) is not a loss: it gets the right-hand axis and its own name.
            String name = "validation " + lastValidation.primary().replace('_', ' ');
            chart.addSeries(name, evalSteps, metrics).setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, name);
            chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        } else if (!evalSteps.isEmpty()) {
            chart.addSeries("validation", evalSteps, scaled(metrics, scale));
        }
        Png.write(file, chart);
    }

    /** A score that is better higher (accuracy, F1) is drawn against an axis of its own, not the loss's. */
    static boolean ownAxis(Metrics validation) {
        return validation.better() == Metrics.Better.HIGHER;
    }

    /** A round number above {@code last}: the next multiple of half its power of ten past 1.02·last. */
    static double roundEndAfter(double last) {
        double v = Math.max(1, last) * 1.02, half = Math.pow(10, Math.floor(Math.log10(v))) / 2;
        return (Math.floor(v / half) + 1) * half;
    }

    private static List<Double> scaled(List<Double> values, double scale) {
        return values.stream().map(v -> v * scale).toList();
    }
}
