package dev.recur.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void viewsAlongTheFirstAxisShareTheArray() {
        var t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
        var row = t.select(1);
        assertThat(row.shape()).containsExactly(2);
        assertThat(row.toArray()).containsExactly(2, 3);
        t.slice(1, 3).fill(9);
        assertThat(t.toArray()).containsExactly(0, 1, 9, 9, 9, 9);
        assertThat(t.reshape(-1, 3).shape()).containsExactly(2, 3);
    }

    @Test
    void indexingChecksBoundsAndShapes() {
        var t = Tensor.zeros(2, 3);
        t.set(5f, 1, 2);
        assertThat(t.get(1, 2)).isEqualTo(5f);
        assertThat(t.unflatten(5)).containsExactly(1, 2);
        assertThatThrownBy(() -> t.get(2, 0)).hasMessageContaining("[2, 0]").hasMessageContaining("[2, 3]");
        assertThatThrownBy(() -> t.reshape(4, 2)).hasMessageContaining("[2, 3]").hasMessageContaining("[4, 2]");
        assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3)).hasMessageContaining("[2, 3]");
    }

    @Test
    void firstNonFiniteFindsNaNAndInfinity() {
        var t = Tensor.of(new float[] {1, 2, Float.POSITIVE_INFINITY, Float.NaN}, 4);
        assertThat(t.firstNonFinite()).isEqualTo(2);
        assertThat(Tensor.zeros(3).firstNonFinite()).isEqualTo(-1);
    }
}
