package dev.recur.data;

import dev.recur.tensor.InvalidInputException;
import java.nio.file.Path;

/**
 * A data file (or request body) that does not hold what its format promises. The message starts with the place,
 * {@code file:line} when the line is known: {@code data/conll/train.txt:57: expected 4 columns, got 3}.
 */
public class InvalidDataException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public InvalidDataException(String message) {
        super(message);
    }

    public InvalidDataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "{@code file:line: detail}"; line counts from 1. */
    public static InvalidDataException at(Path file, long line, String detail) {
        return new InvalidDataException(file + ":" + line + ": " + detail);
    }

    /** "{@code source: detail}" when no line applies. */
    public static InvalidDataException in(Object source, String detail) {
        return new InvalidDataException(source + ": " + detail);
    }
}
