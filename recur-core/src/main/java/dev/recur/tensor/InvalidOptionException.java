package dev.recur.tensor;

/**
 * An option or configuration value out of range or malformed, e.g. {@code dropout must be in [0, 1), got 1.5}.
 * Configuration fields are named as their command-line options ({@code dropout} ↔ {@code --dropout}), so one
 * message serves the API and the command line.
 */
public class InvalidOptionException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidOptionException(String message) {
        super(message);
    }

    public InvalidOptionException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws with the formatted message unless {@code ok}. */
    public static void check(boolean ok, String format, Object... args) {
        if (!ok) throw new InvalidOptionException(String.format(format, args));
    }
}
