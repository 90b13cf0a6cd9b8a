package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.cli.Recur;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code recur bench serve} on a small stack: a server in a JVM of its own, sessions and predict requests, each
 * output compared with its sequence run alone, and a short soak. Nothing here judges the speed.
 */
class ServeBenchTest {

    @Test
    void servesEverySessionItsOwnSequenceAndStopsTheServer() {
        var run = BenchRun.of("bench", "serve", "--quiet", "--sessions", "1,3", "--steps", "4", "--predicts", "2", "--hidden", "16",
                "--input", "8", "--warmup", "0", "--max-batch", "4", "--soak", "2s", "--soak-sessions", "3", "--server-heap", "256m");
        String out = run.out();
        assertThat(run.exit()).as(out).isZero();
        // | clients | mode | requests | steps/s | p50 | p99 | errors | mismatched | ...
        var row = Pattern.compile("(?m)^\\| (\\d+) \\| (session|predict) \\| ([\\d,]+) \\| [\\d,]+ \\| [\\d.]+ \\| [\\d.]+ \\| (\\d+) \\| (\\d+) \\|").matcher(out);
        int rows = 0;
        while (row.find()) {
            int clients = Integer.parseInt(row.group(1));
            long requests = Long.parseLong(row.group(3).replace(",", ""));
            assertThat(requests).as(out).isGreaterThanOrEqualTo(clients * (row.group(2).equals("session") ? 4L : 2L));
            assertThat(row.group(4)).as("errors: " + out).isEqualTo("0");
            assertThat(row.group(5)).as("mismatched: " + out).isEqualTo("0");
            rows++;
        }
        assertThat(rows).as(out).isEqualTo(4);
        var soak = Pattern.compile("Soak: 3 sessions for [\\d.]+ s: ([\\d,]+) steps .*?, (\\d+) errors, ([\\d,]+) checked, (\\d+) mismatched").matcher(out);
        assertThat(soak.find()).as(out).isTrue();
        assertThat(Long.parseLong(soak.group(1).replace(",", ""))).isPositive();
        assertThat(soak.group(2)).isEqualTo("0");
        assertThat(Long.parseLong(soak.group(3).replace(",", ""))).isPositive();
        assertThat(soak.group(4)).isEqualTo("0");
        assertThat(out).contains("The server exited with status 0.");
    }

    @Test
    void refusesANegativeWarmup() {
        assertThat(Recur.run("bench", "serve", "--warmup", "-1", "--sessions", "1")).isNotZero();
    }
}
