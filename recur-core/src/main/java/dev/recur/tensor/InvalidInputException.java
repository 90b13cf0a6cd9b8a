package dev.recur.tensor;

/**
 * The caller's input is wrong: an option or configuration value, a data file, a model file. The message names
 * the place first (an option, a file and line, a tensor), then what was expected and found. The command line
 * answers it with exit code 2 and a server with HTTP 400; any other exception is Recur's own failure (exit code
 * 1, HTTP 500). Subclasses say which input: {@link InvalidOptionException}, {@code data.InvalidDataException},
 * {@code io.ModelFormatException}.
 */
public class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
