package dev.recur.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.tensor.Tensor;
import java.util.function.Supplier;

/**
 * Checks a task's {@link TrainingTask#trainBatch(long, int, int)}: for each of the first batches, the parts'
 * gradients weighted by their {@link TrainingTask.Batch#weight()}s are the whole batch's gradient, and their
 * losses its loss. Each part trains its own copy of the task (as a worker of a data-parallel run does), so state
 * carried between batches is the part's own.
 */
public final class PartsCheck {
    private PartsCheck() {}

    /**
     * @param fresh   identical new tasks (same weights, same data; no dropout)
     * @param batches how many consecutive batches to compare, from 0
     * @param parts   how many parts each batch is cut into
     * @return the largest difference of a gradient element seen, relative to the largest element of its tensor
     */
    public static double check(Supplier<TrainingTask> fresh, int batches, int parts, double tolerance) {
        TrainingTask whole = fresh.get();
        TrainingTask[] part = new TrainingTask[parts];
        for (int k = 0; k < parts; k++) part[k] = fresh.get();
        double worst = 0;
        for (long i = 0; i < batches; i++) {
            whole.model().zeroGrad();
            TrainingTask.Batch all = whole.trainBatch(i);
            var names = whole.model().namedParameters().keySet().toArray(String[]::new);
            float[][] sum = new float[names.length][];
            double weight = 0, loss = 0;
            long items = 0;
            for (int k = 0; k < parts; k++) {
                part[k].model().zeroGrad();
                TrainingTask.Batch b = part[k].trainBatch(i, k, parts);
                assertThat(b.weight()).as("part %d's weight", k).isGreaterThanOrEqualTo(0);
                weight += b.weight();
                items += b.items();
                if (b.weight() == 0) continue;
                loss += b.weight() * b.loss();
                var params = part[k].model().namedParameters();
                for (int n = 0; n < names.length; n++) {
                    Tensor g = params.get(names[n]).grad();
                    if (g == null) continue;
                    float[] v = g.toArray();
                    if (sum[n] == null) sum[n] = new float[v.length];
                    for (int j = 0; j < v.length; j++) sum[n][j] += (float) (b.weight() * v[j]);
                }
            }
            assertThat(items).as("batch %d: the parts' items", i).isEqualTo(all.items());
            assertThat(loss / weight).as("batch %d: the parts' weighted loss", i).isCloseTo(all.loss(), org.assertj.core.data.Offset.offset(tolerance * Math.max(1, Math.abs(all.loss()))));
            var params = whole.model().namedParameters();
            for (int n = 0; n < names.length; n++) {
                Tensor g = params.get(names[n]).grad();
                if (g == null) {
                    assertThat(sum[n]).as("batch %d: %s has a gradient in the parts but not in the whole", i, names[n]).isNull();
                    continue;
                }
                float[] expected = g.toArray();
                assertThat(sum[n]).as("batch %d: %s has no gradient in any part", i, names[n]).isNotNull();
                double scale = 1e-12;
                for (float e : expected) scale = Math.max(scale, Math.abs(e));
                for (int j = 0; j < expected.length; j++) {
                    double d = Math.abs(sum[n][j] / weight - expected[j]) / scale;
                    worst = Math.max(worst, d);
                    assertThat(d).as("batch %d: %s[%d] combined %s, whole %s", i, names[n], j, sum[n][j] / weight, expected[j]).isLessThanOrEqualTo(tolerance);
                }
            }
        }
        return worst;
    }
}
