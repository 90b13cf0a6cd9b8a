package dev.recur.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes training metrics as JSON lines, one object per step or evaluation:
 * {@code {"step": 100, "epoch": 0, "loss": 1.93, "lr": 0.002, "grad_norm": 0.81, "items_per_s": 41000, "seconds": 12.3}}
 * and {@code {"step": 500, "validation": 1.71, "best": true, "metrics": {"nats": 1.71}, "better": "lower"}}, where
 * "validation" is the primary metric. Appends, so a resumed run continues the log.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    public MetricsLog(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void stepped(StepReport r) {
        ObjectNode line = JSON.createObjectNode().put("step", r.step()).put("epoch", r.epoch()).put("loss", r.loss())
                .put("lr", r.lr()).put("grad_norm", r.gradNorm()).put("items_per_s", Math.round(r.itemsPerSecond()))
                .put("seconds", Math.round(r.seconds() * 10) / 10.0);
        write(line);
    }

    @Override
    public void evaluated(long step, Metrics metrics, boolean best) {
        ObjectNode line = JSON.createObjectNode().put("step", step).put("validation", metrics.value()).put("best", best);
        ObjectNode all = line.putObject("metrics");
        metrics.values().forEach(all::put);
        write(line.put("better", metrics.better().name().toLowerCase()));
    }

    private void write(ObjectNode line) {
        try {
            out.write(JSON.writeValueAsString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
