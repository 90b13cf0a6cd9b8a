package dev.recur.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.Variable;
import dev.recur.nn.Module;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.Metrics;
import dev.recur.train.TrainingTask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A task trained by Spark workers, as the driver's {@link dev.recur.train.Trainer} sees it: the model, validation and
 * test are the driver's own task's; batches are the workers'. Each part's task state (carried recurrent state, random
 * generator) lives here between steps and travels with each step, so no step depends on what an executor remembers;
 * checkpoints hold it under "part K/".
 */
abstract class DistributedTask implements TrainingTask {
    private static final String PART = "part ";

    final TrainingTask local;
    final JavaSparkContext spark;
    final Broadcast<Worker.Setup> setup;
    final int parts;
    final List<Variable> params;
    Tensors[] states;

    DistributedTask(TrainingTask local, JavaSparkContext spark, Broadcast<Worker.Setup> setup, int parts) {
        this.local = local;
        this.spark = spark;
        this.setup = setup;
        this.parts = parts;
        this.params = local.model().parameters();
        this.states = new Tensors[parts];
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

    /** The driver's task state, each part's under "part K/", and {@link #ownState()}. */
    @Override
    public Map<String, Tensor> state() {
        var state = new LinkedHashMap<>(local.state());
        for (int k = 0; k < parts; k++) {
            if (states[k] == null) continue;
            String prefix = PART + k + "/";
            states[k].toMap().forEach((name, t) -> state.put(prefix + name, t));
        }
        state.putAll(ownState());
        return state;
    }

    /** Parts continue from their saved states when the checkpoint has one for each; otherwise they start afresh. */
    @Override
    public void restore(Map<String, Tensor> state) {
        var driver = new LinkedHashMap<String, Tensor>();
        var byPart = new TreeMap<Integer, Map<String, Tensor>>();
        state.forEach((name, t) -> {
            int slash = name.indexOf('/');
            if (name.startsWith(PART) && slash > PART.length()) {
                int k = Integer.parseInt(name.substring(PART.length(), slash));
                byPart.computeIfAbsent(k, x -> new LinkedHashMap<>()).put(name.substring(slash + 1), t);
            } else if (!restoreOwn(name, t)) {
                driver.put(name, t);
            }
        });
        local.restore(driver);
        states = new Tensors[parts];
        if (byPart.size() == parts && byPart.lastKey() == parts - 1) byPart.forEach((k, s) -> states[k] = Tensors.of(s));
    }

    /** What this kind of run keeps beside the parts' states (e.g. averaged optimizer state). */
    Map<String, Tensor> ownState() {
        return Map.of();
    }

    /** Takes {@code name} back if it is one of {@link #ownState()}'s. */
    boolean restoreOwn(String name, Tensor value) {
        return false;
    }
}
