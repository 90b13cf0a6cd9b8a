package dev.recur.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartsTest {
    @Test
    void partsTakeEveryWthRowFromTheirOwnAndTogetherMakeTheBatch() {
        int[] rows = {7, 3, 9, 1, 4};
        assertThat(Parts.of(rows, 0, 3)).containsExactly(7, 1);
        assertThat(Parts.of(rows, 1, 3)).containsExactly(3, 4);
        assertThat(Parts.of(rows, 2, 3)).containsExactly(9);
        assertThat(Parts.of(rows, 0, 1)).containsExactly(rows);
        assertThat(Parts.of(rows, 5, 7)).isEmpty();
        assertThat(Parts.of(new int[0], 0, 2)).isEmpty();
        assertThat(Parts.train(rows, 6, 7, r -> { throw new AssertionError("an empty part is not trained"); }))
                .isEqualTo(new TrainingTask.Batch(0, 0, 0));
        assertThat(Parts.train(rows, 1, 2, r -> new TrainingTask.Batch(0.5, r.length))).isEqualTo(new TrainingTask.Batch(0.5, 2));
        assertThatThrownBy(() -> Parts.of(rows, 3, 3)).hasMessage("part 3 of 3");
        assertThatThrownBy(() -> Parts.of(rows, 0, 0)).hasMessage("part 0 of 0");
    }
}
