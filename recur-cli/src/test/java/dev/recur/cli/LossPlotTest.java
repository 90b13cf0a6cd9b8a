package dev.recur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.train.TrainingListener.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {
    @Test
    void stepAxisEndsAtARoundNumberPastTheLastStep() {
        assertThat(LossPlot.roundEndAfter(3632)).isEqualTo(4000);
        assertThat(LossPlot.roundEndAfter(4000)).isEqualTo(4500);   // strictly past it, never on the last step
        assertThat(LossPlot.roundEndAfter(250)).isEqualTo(300);
        assertThat(LossPlot.roundEndAfter(10)).isEqualTo(15);
        assertThat(LossPlot.roundEndAfter(1)).isEqualTo(1.5);
        for (double last : new double[] {1, 7, 99, 100, 999, 1234, 50_000}) assertThat(LossPlot.roundEndAfter(last)).isGreaterThan(last);
    }

    @Test
    void writesAPngOfTheCurves(@TempDir Path dir) throws Exception {
        LossPlot plot = new LossPlot("bits per character");
        for (long step = 1; step <= 1200; step++) plot.stepped(new StepReport(step, 0, 3.0 / Math.sqrt(step), 1e-3, 1, 1000, step));
        plot.evaluated(500, dev.recur.train.Metrics.lower("nats", 0.5), true);
        plot.evaluated(1000, dev.recur.train.Metrics.lower("nats", 0.4), true);
        Path file = dir.resolve("loss.png");
        plot.write(file, "test", 1.0);
        assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(900);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);   // the temporary file is gone
        }
    }

    @Test
    void aScoreThatIsBetterHigherGetsItsOwnAxis(@TempDir Path dir) throws Exception {
        LossPlot plot = new LossPlot("cross-entropy (nats)");
        for (long step = 1; step <= 300; step++) plot.stepped(new StepReport(step, 0, 0.7 / Math.sqrt(step), 1e-3, 1, 1000, step));
        plot.evaluated(100, dev.recur.train.Metrics.higher("accuracy", 0.91), true);
        plot.evaluated(200, dev.recur.train.Metrics.higher("accuracy", 0.95), true);
        Path file = dir.resolve("loss.png");
        plot.write(file, "classifier", 1.0);
        assertThat(ImageIO.read(file.toFile()).getWidth()).isEqualTo(900);
        assertThat(LossPlot.ownAxis(dev.recur.train.Metrics.higher("accuracy", 0.9))).isTrue();
        assertThat(LossPlot.ownAxis(dev.recur.train.Metrics.lower("nats", 0.9))).isFalse();
    }
}
