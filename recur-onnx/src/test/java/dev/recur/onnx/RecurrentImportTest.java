package dev.recur.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.nn.Nonlinearity;
import dev.recur.nn.Recurrent;
import dev.recur.nn.RecurrentConfig;
import dev.recur.onnx.RecurrentExport.Inputs;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Export then import: the same configuration and bit-identical tensors, for every cell and stack shape. */
class RecurrentImportTest {
    record Case(RecurrentConfig config, Inputs inputs, int opset) {
        @Override
        public String toString() {
            return config.describe() + ", inputs " + inputs + ", opset " + opset;
        }
    }

    static Stream<Case> stacks() {
        var cases = new ArrayList<Case>();
        var cells = new RecurrentConfig[] {RecurrentConfig.rnn(3, 4), RecurrentConfig.rnn(3, 4).withNonlinearity(Nonlinearity.RELU),
                RecurrentConfig.lstm(3, 4), RecurrentConfig.gru(3, 4), RecurrentConfig.gru(3, 4).withResetBefore()};
        int i = 0;
        for (RecurrentConfig cell : cells)
            for (int layers = 1; layers <= 3; layers += 2)
                for (int d = 1; d <= 2; d++)
                    for (boolean bias : new boolean[] {true, false}) {
                        var c = cell.withLayers(layers).withDirections(d).withBias(bias);
                        i++;
                        cases.add(new Case(i % 2 == 0 ? c.withBatchFirst() : c, i % 3 == 0 ? Inputs.INPUT : Inputs.ALL, i % 4 == 0 ? 14 : 17));
                    }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void exportThenImportGivesTheSameConfigAndTensors(Case c) {
        Recurrent rnn = Recurrent.of(c.config(), new Rng(c.toString().hashCode()));

        RecurrentImport.Imported back = RecurrentImport.of("round trip", RecurrentExport.model(rnn, c.inputs(), c.opset()));

        assertThat(back.config()).isEqualTo(c.config());
        Map<String, Tensor> expected = rnn.stateDict();
        assertThat(back.weights().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, t) -> {
            assertThat(back.weights().get(name).shape()).as(name).containsExactly(t.shape());
            assertThat(back.weights().get(name).toArray()).as(name).containsExactly(t.toArray());
        });
        assertThat(back.recurrent().config()).isEqualTo(c.config());
    }
}
