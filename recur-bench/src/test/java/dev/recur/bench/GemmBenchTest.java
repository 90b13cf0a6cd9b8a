package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.Recur;
import dev.recur.kernel.Parallel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur bench gemm} in process, on tiny shapes without warm-up; nothing here measures speed. */
class GemmBenchTest {

    @Test
    void printsATableRowPerShapeThreadCountAndKernelsAndWritesJson(@TempDir Path dir) throws Exception {
        int threads = Parallel.threads();
        var out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Recur.run("bench", "gemm", "--shapes", "3x5x7,1x9x33", "--threads", "1,2", "--repeat", "2",
                    "--warmup", "0", "--json", dir.resolve("gemm.json").toString());
        } finally {
            System.setOut(stdout);
            Parallel.setThreads(threads);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(table).contains("| 3x5x7 | 1 | vector |", "| 3x5x7 | 2 | scalar |", "| 1x9x33 | 2 | vector |");
        var json = new ObjectMapper().readTree(dir.resolve("gemm.json").toFile());
        assertThat(json.get("results")).hasSize(8);
        assertThat(json.get("results").get(0).get("median").asDouble()).isPositive();
    }

    @Test
    void rejectsAMalformedShape() {
        assertThat(Recur.run("bench", "gemm", "--shapes", "3x4", "--warmup", "0")).isNotZero();
    }
}
