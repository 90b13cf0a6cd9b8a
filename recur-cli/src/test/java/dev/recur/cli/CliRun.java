package dev.recur.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs {@code recur} in process for tests, with a given standard input, capturing standard output and error. */
public final class CliRun {
    private CliRun() {}

    public record Result(int code, String out, String err) {}

    public static Result run(String stdin, String... args) {
        var out = new ByteArrayOutputStream();
        var stderr = new ByteArrayOutputStream();
        var err = new StringWriter();
        PrintStream saved = System.out, savedErr = System.err;
        InputStream savedIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            var cl = Recur.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err + stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
            System.setErr(savedErr);
            System.setIn(savedIn);
        }
    }
}
