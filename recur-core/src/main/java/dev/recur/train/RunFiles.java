package dev.recur.train;

import dev.recur.tensor.InvalidOptionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files a training run writes, named after its model file: {@code MODEL}, {@code MODEL.ckpt} (the checkpoint),
 * {@code MODEL.metrics.jsonl} (one JSON object per step and validation) and {@code MODEL.loss.png} (the loss curve).
 *
 * @param model       the model file, e.g. runs/sotu-lstm.safetensors
 * @param defaultName the task's name for a model file, suggested when {@code model} is a folder, e.g. sotu-lstm.safetensors
 */
public record RunFiles(Path model, String defaultName) {

    /** The files of {@code out}, or of {@code defaultName} in the working directory when {@code out} is null. */
    public static RunFiles of(Path out, String defaultName) {
        return new RunFiles(out != null ? out : Path.of(defaultName), defaultName);
    }

    public Path checkpoint() {
        return sibling(".ckpt");
    }

    public Path metrics() {
        return sibling(".metrics.jsonl");
    }

    public Path plot() {
        return sibling(".loss.png");
    }

    /**
     * Creates the model's folder if missing and checks that the files can be written there, before any training,
     * so a run is never lost to a name it cannot be written under.
     */
    public RunFiles prepare() throws IOException {
        if (Files.isDirectory(model)) {
            throw new InvalidOptionException(model + " is a folder; give the model file's name, e.g. "
                    + model.resolve(defaultName));
        }
        Path folder = model.toAbsolutePath().getParent();
        if (folder != null) Files.createDirectories(folder);
        if (folder != null && !Files.isWritable(folder)) throw new InvalidOptionException(model + ": cannot write in " + folder);
        return this;
    }

    private Path sibling(String suffix) {
        return model.resolveSibling(model.getFileName() + suffix);
    }
}
