package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.Recur;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur bench gemm} in process, on tiny shapes without warm-up; nothing here measures speed. */
class GemmBenchTest {

    @Test
    void printsATableRowPerShapeThreadCountAndKernelsAndWritesJson(@TempDir Path dir) throws Exception {
        var run = BenchRun.of("bench", "gemm", "--shapes", "3x5x7,1x9x33", "--threads", "1,2", "--repeat", "2",
                "--warmup", "0", "--json", dir.resolve("gemm.json").toString());
        String table = run.out();
        assertThat(run.exit()).isZero();
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
