package dev.recur.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.nn.Module;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.Metrics;
import dev.recur.train.TrainingTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Synchronous data-parallel training, seen by the {@link dev.recur.train.Trainer} as one task: each step the
 * driver's weights are broadcast, worker k computes part k of the batch ({@link TrainingTask#trainBatch(long, int,
 * int)}) and returns its gradient, and the gradients, weighted by their parts' loss denominators, are summed into
 * the driver's model; clipping, the optimizer, validation and checkpoints are the trainer's, on the driver, once.
 * Each part's task state (carried recurrent state, random generator) travels with its step, so no step depends on
 * what an executor remembers, and Spark may rerun any of them.
 */
public final class SyncTask implements TrainingTask {
    private final TrainingTask local;
    private final JavaSparkContext spark;
    private final Broadcast<Worker.Setup> setup;
    private final int parts;
    private final SparkTraining.Reduce reduce;
    private final List<Variable> params;
    private Tensors[] states;
    private final Exchange exchange = new Exchange();

    SyncTask(TrainingTask local, JavaSparkContext spark, Broadcast<Worker.Setup> setup, int parts, SparkTraining.Reduce reduce) {
        this.local = local;
        this.spark = spark;
        this.setup = setup;
        this.parts = parts;
        this.reduce = reduce;
        this.params = local.model().parameters();
        this.states = new Tensors[parts];
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
            sum = outs.treeAggregate(new Step.Sum(), Step.Sum::add, Step.Sum::merge);
        } else {
            sum = new Step.Sum();
            for (Step.Out out : outs.collect()) sum.add(out);
        }
        weights.destroy(false);
        Flat.setGrads(params, sum.grad, sum.has, 1 / sum.weight);
        for (int k = 0; k < parts; k++) states[k] = sum.states.get(k);
        exchange.add(System.nanoTime() - started, sum.maxNanos);
        return new Batch(sum.weightedLoss / sum.weight, sum.items, sum.weight);
    }

    @Override
    public Module model() {
        return local.model();
    }

    @Override
    public ObjectNode modelConfig() {
        return local.modelConfig();
    }

    @Override
    public Metrics validate() {
        return local.validate();
    }

    @Override
    public Optional<Metrics> test() {
        return local.test();
    }

    @Override
    public double chanceLoss() {
        return local.chanceLoss();
    }

    @Override
    public long batchesPerEpoch() {
        return local.batchesPerEpoch();
    }

    @Override
    public Rng rng() {
        return local.rng();
    }

    /** The driver's task state, and each part's under "part K/". */
    @Override
    public Map<String, Tensor> state() {
        var state = new LinkedHashMap<>(local.state());
        for (int k = 0; k < parts; k++) {
            if (states[k] == null) continue;
            String prefix = PART + k + "/";
            states[k].toMap().forEach((name, t) -> state.put(prefix + name, t));
        }
        return state;
    }

    /** Parts continue from their saved states when the checkpoint has one for each; otherwise they start afresh. */
    @Override
    public void restore(Map<String, Tensor> state) {
        var own = new LinkedHashMap<String, Tensor>();
        var byPart = new TreeMap<Integer, Map<String, Tensor>>();
        state.forEach((name, t) -> {
            if (name.startsWith(PART) && name.indexOf('/') > PART.length()) {
                int k = Integer.parseInt(name.substring(PART.length(), name.indexOf('/')));
                byPart.computeIfAbsent(k, x -> new LinkedHashMap<>()).put(name.substring(name.indexOf('/') + 1), t);
            } else {
                own.put(name, t);
            }
        });
        local.restore(own);
        states = new Tensors[parts];
        if (byPart.size() == parts && byPart.lastKey() == parts - 1) byPart.forEach((k, s) -> states[k] = Tensors.of(s));
    }

    /** Whether every part has a saved state (a distributed checkpoint of as many workers). */
    boolean partsRestored() {
        for (Tensors s : states) if (s == null) return false;
        return true;
    }

    private static final String PART = "part ";

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
