package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.cli.Recur;
import dev.recur.kernel.Parallel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code recur bench bandwidth} in process; nothing here judges the speed, only that each row is measured. */
class BandwidthBenchTest {

    @Test
    void printsARowPerSizeAndThreadCount() {
        int threads = Parallel.threads();
        var out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Recur.run("bench", "bandwidth", "--sizes", "1", "--threads", "1,2", "--repeat", "1");
        } finally {
            System.setOut(stdout);
            Parallel.setThreads(threads);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        var row = Pattern.compile("(?m)^ +1 +([12]) +(\\d+\\.\\d) ").matcher(table);
        int rows = 0;
        while (row.find()) {
            assertThat(Double.parseDouble(row.group(2))).as(table).isPositive();
            rows++;
        }
        assertThat(rows).as(table).isEqualTo(2);
    }

    @Test
    void rejectsASizeBelowOneMebibyte() {
        assertThat(Recur.run("bench", "bandwidth", "--sizes", "0")).isNotZero();
    }
}
