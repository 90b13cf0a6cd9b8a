package dev.recur.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    private final Durations durations = new Durations();

    @Test
    void readsUnitsAndPlainSeconds() {
        assertThat(durations.convert("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(durations.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(durations.convert(" 10M ")).isEqualTo(Duration.ofMinutes(10));
        assertThat(durations.convert("0.5m")).isEqualTo(Duration.ofSeconds(30));
        assertThat(durations.convert("2.5")).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void refusesWhatIsNotAPositiveDuration() {
        for (String bad : new String[] {"abc", "10x", "m10", "1h 30m", ""}) {
            assertThatThrownBy(() -> durations.convert(bad)).as(bad).hasMessageContaining("is not a duration");
        }
        for (String none : new String[] {"0s", "0", "0h0m"}) {
            assertThatThrownBy(() -> durations.convert(none)).as(none).hasMessageContaining("is no time at all");
        }
    }
}
