package dev.recur.task.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeAxisTest {
    private static TimeAxis parse(String... cells) {
        return TimeAxis.parse(List.of(cells), (i, msg) -> new IllegalArgumentException("cell " + i + ": " + msg));
    }

    @Test
    void monthsContinueByWholeMonthsWithAMonthlyCalendar() {
        TimeAxis t = parse("1949-01", "1949-02", "1949-03");
        assertThat(t.label(3)).isEqualTo("1949-04");
        assertThat(t.label(14)).isEqualTo("1950-03");
        assertThat(t.season()).isEqualTo(12);
        float[] f = new float[12];
        t.calendar(14, f, 0);
        assertThat(f).containsExactly(0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void halfHoursGiveTimeOfDayAndDayOfWeek() {
        TimeAxis t = parse("2000-06-05T00:00", "2000-06-05T00:30", "2000-06-05T01:00");
        assertThat(t.season()).isEqualTo(48);
        assertThat(t.label(48)).isEqualTo("2000-06-06T00:00");
        float[] f = new float[11];
        t.calendar(48, f, 0);   // Tuesday midnight
        assertThat(f[0]).isZero();
        assertThat(f[1]).isEqualTo(1f);
        assertThat(f[4 + 1]).isEqualTo(1f);
        assertThat(f[4]).isZero();
    }

    @Test
    void numbersStepByTheirMedianAndHaveNoCalendar() {
        TimeAxis t = parse("1700", "1701", "1702");
        assertThat(t.label(5)).isEqualTo("1705");
        assertThat(t.season()).isZero();
        assertThat(t.calendarProblem()).contains("numbers");
        assertThatThrownBy(() -> parse("1700", "17o1")).hasMessageContaining("cell 1").hasMessageContaining("neither a number nor an ISO date");
        assertThatThrownBy(() -> parse("2000-01-01", "2000-01-02T00:00")).hasMessageContaining("not written like");
    }
}
