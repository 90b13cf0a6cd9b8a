package dev.recur.bench;

import dev.recur.cli.Recur;
import dev.recur.kernel.Parallel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code recur} in process for the bench tests: its exit code and standard output, the thread count restored. */
record BenchRun(int exit, String out) {

    static BenchRun of(String... args) {
        int threads = Parallel.threads();
        var out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return new BenchRun(Recur.run(args), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            Parallel.setThreads(threads);
        }
    }
}
