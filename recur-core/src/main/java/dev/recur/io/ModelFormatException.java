package dev.recur.io;

import dev.recur.tensor.InvalidInputException;
import java.nio.file.Path;

/**
 * A model or safetensors file that cannot be trusted: truncated, malformed, hostile, or holding the wrong tensors.
 * The message names the file first, then the tensor and what was expected, e.g.
 * {@code model.safetensors: tensor bias_ih_l0 claims bytes 800..960, but the data section ends at 912}.
 * It is an {@link InvalidInputException}, so the command line reports it as bad input (exit code 2);
 * failures to read or write at all (a missing file, a full disk) stay {@link java.io.IOException}s.
 */
public final class ModelFormatException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /** {@code source} is the file (or other origin) the message starts with. */
    public ModelFormatException(String source, String detail) {
        this(source, detail, null);
    }

    public ModelFormatException(String source, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.source = source;
    }

    public ModelFormatException(Path file, String detail) {
        this(String.valueOf(file), detail, null);
    }

    /** The file or other origin named at the start of the message. */
    public String source() {
        return source;
    }
}
