package dev.recur.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ChronoInitTest {
    @Test
    void forgetBiasesSpreadOverLogOneToLogTAndInputBiasesMirrorThem() {
        int h = 50, steps = 200;
        var lstm = new Lstm(RecurrentConfig.lstm(3, h).withLayers(2).withChronoInit(steps), new Rng(4));
        for (String suffix : new String[] {"_l0", "_l1"}) {
            Tensor bih = lstm.namedParameters().get("bias_ih" + suffix).value();
            Tensor bhh = lstm.namedParameters().get("bias_hh" + suffix).value();
            double max = 0;
            for (int j = 0; j < h; j++) {
                float bf = bih.at(h + j);
                assertThat(bf).isBetween(0f, (float) Math.log(steps - 1));
                assertThat(bih.at(j)).isEqualTo(-bf);
                assertThat(bhh.at(j)).isZero();
                assertThat(bhh.at(h + j)).isZero();
                max = Math.max(max, bf);
            }
            assertThat(max).as("some units remember for more than 50 steps").isGreaterThan(Math.log(50));
            // The cell and output gates keep PyTorch's U(−1/√H, 1/√H).
            assertThat(Math.abs(bih.at(2 * h))).isLessThanOrEqualTo((float) (1 / Math.sqrt(h)));
        }
    }

    @Test
    void chronoNeedsAnLstmWithBias() {
        assertThatThrownBy(() -> RecurrentConfig.gru(3, 4).withChronoInit(100)).hasMessageContaining("chronoSteps");
        assertThatThrownBy(() -> RecurrentConfig.lstm(3, 4).withBias(false).withChronoInit(100)).hasMessageContaining("chronoSteps");
        assertThatThrownBy(() -> RecurrentConfig.lstm(3, 4).withChronoInit(1)).hasMessageContaining("chronoSteps");
    }
}
