package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {
    @Test
    void theSameSeedGivesTheSameSplitOfEveryIndexOnce() {
        Split a = Split.shuffled(1000, 0.1, 0.05, 42);
        assertThat(a.train()).hasSize(850);
        assertThat(a.valid()).hasSize(100);
        assertThat(a.test()).hasSize(50);
        int[] all = IntStream.concat(IntStream.concat(Arrays.stream(a.train()), Arrays.stream(a.valid())), Arrays.stream(a.test()))
                .sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, 1000).toArray());
        assertThat(a.test()).isSorted();
        Split b = Split.shuffled(1000, 0.1, 0.05, 42);
        assertThat(b.valid()).isEqualTo(a.valid());
        assertThat(b.test()).isEqualTo(a.test());
        assertThat(Split.shuffled(1000, 0.1, 0.05, 43).test()).isNotEqualTo(a.test());
        assertThat(a.test()).isNotEqualTo(IntStream.range(950, 1000).toArray());
    }

    @Test
    void changingTheValidationFractionKeepsTheTestSet() {
        assertThat(Split.shuffled(200, 0.2, 0.1, 5).test()).isEqualTo(Split.shuffled(200, 0.05, 0.1, 5).test());
    }

    @Test
    void lastKeepsTheOrderForTimeSeries() {
        Split s = Split.last(10, 2, 3);
        assertThat(s.train()).containsExactly(0, 1, 2, 3, 4);
        assertThat(s.valid()).containsExactly(5, 6);
        assertThat(s.test()).containsExactly(7, 8, 9);
        assertThat(Split.select(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), s.valid())).containsExactly("f", "g");
    }

    @Test
    void refusesSplitsThatLeaveNothingToTrainOn() {
        assertThatThrownBy(() -> Split.last(5, 3, 2)).hasMessage("5 examples leave 0 for training after 3 for validation and 2 for test");
        assertThatThrownBy(() -> Split.shuffled(10, 0.1, 1.0, 1)).hasMessage("testFraction must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> Split.shuffled(10, 0.6, 0.4, 1)).hasMessageContaining("leave 0 for training");
    }
}
