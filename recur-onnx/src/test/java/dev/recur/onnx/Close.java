package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.recur.tensor.Tensor;
import java.util.Arrays;

/** Elementwise comparison of ONNX Runtime's results with Recur's: |ort − recur| ≤ 1e-5 · max(1, |recur|). */
final class Close {
    static final double TOLERANCE = 1e-5;

    private Close() {}

    static void assertClose(String name, Tensor ort, Tensor recur) {
        assertThat(ort.shape()).as(name + " shape").containsExactly(recur.shape());
        for (int i = 0; i < recur.size(); i++) {
            double expected = recur.at(i), actual = ort.at(i);
            if (!(Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)))) {
                fail("%s%s: ONNX Runtime %s, Recur %s", name, Arrays.toString(recur.unflatten(i)), actual, expected);
            }
        }
    }
}
