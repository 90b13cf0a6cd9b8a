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
        assertClose(name, ort, "ONNX Runtime", recur, "Recur");
    }

    /** |actual − expected| ≤ 1e-5 · max(1, |expected|); a failure names the element and both values by their labels. */
    static void assertClose(String name, Tensor actual, String actualLabel, Tensor expected, String expectedLabel) {
        assertThat(actual.shape()).as(name + " shape").containsExactly(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.at(i), a = actual.at(i);
            if (!(Math.abs(a - e) <= TOLERANCE * Math.max(1, Math.abs(e)))) {
                fail("%s%s: %s %s, %s %s", name, Arrays.toString(expected.unflatten(i)), actualLabel, a, expectedLabel, e);
            }
        }
    }
}
