package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.cli.Recur;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code recur bench bandwidth} in process; nothing here judges the speed, only that each row is measured. */
class BandwidthBenchTest {

    @Test
    void printsARowPerSizeAndThreadCount() {
        var run = BenchRun.of("bench", "bandwidth", "--sizes", "1", "--threads", "1,2", "--repeat", "1");
        String table = run.out();
        assertThat(run.exit()).isZero();
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
