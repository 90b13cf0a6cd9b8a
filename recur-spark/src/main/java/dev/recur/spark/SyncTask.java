package dev.recur.spark;

import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Synchronous data-parallel training, seen by the {@link dev.recur.train.Trainer} as one task: each step the
 * driver's weights are broadcast, worker k computes part k of the batch ({@link TrainingTask#trainBatch(long, int,
 * int)}) and returns its gradient, and the gradients, weighted by their parts' loss denominators, are summed into
 * the driver's model; clipping, the optimizer, validation and checkpoints are the trainer's, on the driver, once.
 */
public final class SyncTask extends DistributedTask {
    private final SparkTraining.Reduce reduce;
    private final Exchange exchange = new Exchange();

    SyncTask(TrainingTask local, JavaSparkContext spark, Broadcast<Worker.Setup> setup, int parts, SparkTraining.Reduce reduce) {
        super(local, spark, setup, parts);
        this.reduce = reduce;
    }

    Exchange exchange() {
        return exchange;
    }

    @Override
    public Batch trainBatch(long index) {
        long started = System.nanoTime();
        Broadcast<float[]> weights = spark.broadcast(Flat.values(params));
        var inputs = new ArrayList<Step.In>(parts);
        for (int k = 0; k < parts; k++) inputs.add(new Step.In(index, k, parts, states[k]));
        Broadcast<Worker.Setup> run = setup;
        JavaRDD<Step.Out> outs = spark.parallelize(inputs, parts).map(in -> Worker.step(run.value(), weights.value(), in));
        Step.Sum sum;
        if (reduce == SparkTraining.Reduce.TREE) {
            sum = SparkTraining.job(() -> outs.treeAggregate(new Step.Sum(), Step.Sum::add, Step.Sum::merge));
        } else {
            sum = new Step.Sum();
            for (Step.Out out : SparkTraining.job(outs::collect)) sum.add(out);
        }
        weights.destroy(false);
        Flat.setGrads(params, sum.grad, sum.has, 1 / sum.weight);
        for (int k = 0; k < parts; k++) states[k] = sum.states.get(k);
        exchange.add(System.nanoTime() - started, sum.maxNanos);
        return new Batch(sum.weightedLoss / sum.weight, sum.items, sum.weight);
    }

    /** Time per step on the driver's clock and the slowest worker's compute in it: the rest is exchange and scheduling. */
    public static final class Exchange {
        long steps, wallNanos, computeNanos;
        final List<long[]> perStep = new ArrayList<>();   // {wall, compute} of each step

        void add(long wall, long compute) {
            steps++;
            wallNanos += wall;
            computeNanos += compute;
            perStep.add(new long[] {wall, compute});
        }

        /** Mean {wall, slowest worker's compute} in milliseconds over steps [from, to) of this run. */
        public double[] meanMillis(int from, int to) {
            double wall = 0, compute = 0;
            for (int i = from; i < to; i++) {
                wall += perStep.get(i)[0];
                compute += perStep.get(i)[1];
            }
            return new double[] {wall / 1e6 / (to - from), compute / 1e6 / (to - from)};
        }

        public int steps() {
            return perStep.size();
        }

        /** The share of step time spent outside the slowest worker's computation. */
        double share() {
            return wallNanos == 0 ? 0 : 1 - computeNanos / (double) wallNanos;
        }
    }
}
