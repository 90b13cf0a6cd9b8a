package dev.recur.task.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DetectionScoresTest {

    private static boolean[] bits(String s) {
        boolean[] b = new boolean[s.length()];
        for (int i = 0; i < b.length; i++) b[i] = s.charAt(i) == '1';
        return b;
    }

    /**
     * Group A, 10 rows: events at rows 2–4 (found by the single flag at row 4) and 7–9 (missed, and it ends the group);
     * a false alarm at row 1. Group B, 6 rows: an event at rows 0–1 (it starts the group, so it is not the same event
     * as A's last), both rows flagged, and two false alarms. Group C, 4 rows: no labels, one false alarm.
     * <pre>
     *            labels       flags        TP  flagged  positives  events  detected
     * A          0011100111   0100100000   1   2        6          2       1
     * B          110000       110101       2   4        2          1       1
     * C          0000         0010         0   1        0          0       0
     * total      20 rows                   3   7        8          3       2
     * </pre>
     * precision 3/7, recall 3/8, F1 2·TP / (flagged + positives) = 6/15 = 0.4.
     */
    @Test
    void pooledOverGroupsWithEventsPerGroup() {
        DetectionScores s = DetectionScores.none()
                .plus(bits("0011100111"), bits("0100100000"))
                .plus(bits("110000"), bits("110101"))
                .plus(bits("0000"), bits("0010"));
        assertThat(s.rows()).isEqualTo(20);
        assertThat(s.truePositives()).isEqualTo(3);
        assertThat(s.flagged()).isEqualTo(7);
        assertThat(s.positives()).isEqualTo(8);
        assertThat(s.events()).isEqualTo(3);
        assertThat(s.eventsDetected()).isEqualTo(2);
        assertThat(s.precision()).isCloseTo(3.0 / 7, within(1e-12));
        assertThat(s.recall()).isCloseTo(3.0 / 8, within(1e-12));
        assertThat(s.f1()).isCloseTo(0.4, within(1e-12));
    }

    /** One event of 5 rows: flagging all of it, or only its last row, detects it once. */
    @Test
    void anEventIsDetectedOnceHoweverManyOfItsRowsAreFlagged() {
        DetectionScores all = DetectionScores.none().plus(bits("0111110"), bits("0111110"));
        assertThat(all.events()).isEqualTo(1);
        assertThat(all.eventsDetected()).isEqualTo(1);
        assertThat(all.precision()).isEqualTo(1.0);
        assertThat(all.recall()).isEqualTo(1.0);
        assertThat(all.f1()).isEqualTo(1.0);

        DetectionScores last = DetectionScores.none().plus(bits("0111110"), bits("0000010"));
        assertThat(last.eventsDetected()).isEqualTo(1);
        assertThat(last.recall()).isCloseTo(0.2, within(1e-12));   // 1 of 5 rows
        assertThat(last.precision()).isEqualTo(1.0);

        // two events separated by one normal row are two events
        DetectionScores two = DetectionScores.none().plus(bits("1101"), bits("0001"));
        assertThat(two.events()).isEqualTo(2);
        assertThat(two.eventsDetected()).isEqualTo(1);
    }

    @Test
    void nothingFlaggedOrNothingLabelledScoresZero() {
        DetectionScores none = DetectionScores.none();
        assertThat(none.precision()).isZero();
        assertThat(none.recall()).isZero();
        assertThat(none.f1()).isZero();

        DetectionScores missed = none.plus(bits("0110"), bits("0000"));
        assertThat(missed.precision()).isZero();
        assertThat(missed.recall()).isZero();
        assertThat(missed.f1()).isZero();
        assertThat(missed.events()).isEqualTo(1);
        assertThat(missed.eventsDetected()).isZero();

        DetectionScores falseAlarms = none.plus(bits("0000"), bits("1001"));
        assertThat(falseAlarms.flagged()).isEqualTo(2);
        assertThat(falseAlarms.precision()).isZero();
        assertThat(falseAlarms.recall()).isZero();
        assertThat(falseAlarms.events()).isZero();
    }
}
