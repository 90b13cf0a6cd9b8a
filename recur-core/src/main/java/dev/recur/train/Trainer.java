package dev.recur.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.NonFiniteException;
import dev.recur.autograd.Variable;
import dev.recur.io.SafeTensors;
import dev.recur.optim.GradClip;
import dev.recur.optim.Optimizer;
import dev.recur.optim.Plateau;
import dev.recur.optim.Schedule;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop: for each step, the task's forward and backward, a divergence check, clipping, the
 * schedule's learning rate and the optimizer step; validation, early stopping, keeping the best weights and
 * atomic checkpoints at their intervals.
 * <p>
 * A checkpoint holds the weights, the optimizer's state, the step, the random generator's state, the schedule's
 * state and the task's state, so {@link #resume} followed by {@link #run} continues exactly as an uninterrupted
 * run would (same seed, same thread count: bitwise the same weights).
 * <p>
 * A NaN or infinite loss or gradient stops training with a {@link DivergenceException} naming the step, the
 * parameter whose gradient is largest (or not finite) and the recent gradient norms; no checkpoint is written
 * after it, so the last good one stays intact.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE_KEY = "recur.trainer";
    private static final int HISTORY = 5;

    private final TrainingTask task;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final TrainerConfig config;
    private final List<TrainingListener> listeners;
    private final Rng rng;
    private final ArrayDeque<Double> normHistory = new ArrayDeque<>();
    private long step;
    private double best = Double.POSITIVE_INFINITY;
    private int evaluationsWithoutImprovement;
    private Map<String, Tensor> bestWeights;

    public Trainer(TrainingTask task, Optimizer optimizer, Schedule schedule, TrainerConfig config, List<TrainingListener> listeners) {
        this.task = task;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.config = config;
        this.listeners = List.copyOf(listeners);
        this.rng = new Rng(config.seed());
    }

    /** What a run did. */
    public record Result(long steps, double lastLoss, double bestValidation, double seconds, boolean stoppedEarly) {}

    /** Trains until a budget is reached; keeps the best validated weights in the model when validation ran. */
    public Result run() throws IOException {
        long startStep = step;
        long total = totalSteps();
        listeners.forEach(l -> l.started(startStep, total));
        long started = System.nanoTime();
        long windowStart = started, windowItems = 0;
        double lastLoss = Double.NaN;
        boolean early = false;
        while (!budgetReached(started)) {
            optimizer.zeroGrad();
            float lr = (float) (config.lr() * schedule.factor(step, progress(started, total)));
            optimizer.setLr(lr);
            TrainingTask.Batch batch;
            try {
                batch = task.trainBatch(step, rng);
            } catch (NonFiniteException e) {
                throw diverged(step + 1, e.getMessage(), Double.NaN);
            }
            // One pass over the gradients: the norm before clipping (a non-finite norm leaves them unscaled).
            double norm = config.clip() > 0 ? GradClip.byNorm(optimizer.params(), config.clip()) : GradClip.norm(optimizer.params());
            if (!Double.isFinite(batch.loss()) || !Double.isFinite(norm)) {
                throw diverged(step + 1, Double.isFinite(batch.loss()) ? "gradient norm is " + norm : "loss is " + batch.loss(), norm);
            }
            optimizer.step();
            step++;
            lastLoss = batch.loss();
            remember(norm);

            windowItems += batch.items();
            long now = System.nanoTime();
            double rate = windowItems / Math.max(1e-9, (now - windowStart) / 1e9);
            if (now - windowStart > 2_000_000_000L) {
                windowStart = now;
                windowItems = 0;
            }
            var report = new TrainingListener.StepReport(step, (step - 1) / task.batchesPerEpoch(), batch.loss(), lr, norm,
                    rate, (now - started) / 1e9);
            listeners.forEach(l -> l.stepped(report));

            if (config.evalEvery() > 0 && step % config.evalEvery() == 0 && evaluate(true)) {
                early = true;
                break;
            }
            if (config.checkpoint() != null && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) {
                saveCheckpoint(config.checkpoint());
            }
        }
        // The checkpoint first, so it holds exactly the state an uninterrupted run would have here.
        if (config.checkpoint() != null) saveCheckpoint(config.checkpoint());
        if (!early && (config.evalEvery() == 0 || step % config.evalEvery() != 0)) evaluate(false);
        if (bestWeights != null) task.model().loadStateDict(bestWeights);
        var result = new Result(step, lastLoss, best, (System.nanoTime() - started) / 1e9, early);
        listeners.forEach(l -> l.finished(result));
        return result;
    }

    /** Steps done so far, counted across resumes. */
    public long step() {
        return step;
    }

    /**
     * Validates and tracks the best weights; a periodic evaluation also feeds the schedule and counts towards
     * patience. Returns true when patience has run out.
     */
    private boolean evaluate(boolean periodic) {
        double metric = task.validate();
        boolean improved = metric < best;
        if (improved) {
            best = metric;
            bestWeights = copyOf(task.model().namedParameters());
        }
        if (periodic) {
            evaluationsWithoutImprovement = improved ? 0 : evaluationsWithoutImprovement + 1;
            schedule.observe(metric);
        }
        long at = step;
        listeners.forEach(l -> l.evaluated(at, metric, improved));
        return config.patience() > 0 && evaluationsWithoutImprovement >= config.patience();
    }

    private boolean budgetReached(long started) {
        if (config.steps() > 0 && step >= config.steps()) return true;
        if (config.epochs() > 0 && step >= config.epochs() * task.batchesPerEpoch()) return true;
        return config.time() != null && System.nanoTime() - started >= config.time().toNanos();
    }

    /** The fraction of the budget spent: the larger of steps / step budget and elapsed / time budget. */
    private double progress(long started, long total) {
        double byTime = config.time() != null ? (System.nanoTime() - started) / (double) config.time().toNanos() : 0;
        double bySteps = total > 0 ? step / (double) total : 0;
        return Math.min(1.0, Math.max(byTime, bySteps));
    }

    private long totalSteps() {
        long bySteps = config.steps() > 0 ? config.steps() : Long.MAX_VALUE;
        long byEpochs = config.epochs() > 0 ? config.epochs() * task.batchesPerEpoch() : Long.MAX_VALUE;
        long total = Math.min(bySteps, byEpochs);
        return total == Long.MAX_VALUE ? -1 : total;
    }

    private void remember(double norm) {
        normHistory.addLast(norm);
        if (normHistory.size() > HISTORY) normHistory.removeFirst();
    }

    private DivergenceException diverged(long at, String what, double norm) {
        String worst = null;
        double worstNorm = -1;
        for (var e : task.model().namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            if (g == null) continue;
            double n = Math.sqrt(GradClip.squaredNorm(g));
            if (!Double.isFinite(n)) {
                worst = e.getKey();
                worstNorm = n;
                break;
            }
            if (n > worstNorm) {
                worstNorm = n;
                worst = e.getKey();
            }
        }
        var sb = new StringBuilder("step ").append(at).append(": ");
        sb.append(what);
        if (worst != null) sb.append(String.format("; the largest gradient is in %s (norm %.3g)", worst, worstNorm));
        if (!normHistory.isEmpty()) {
            sb.append("; gradient norms of the last steps: ");
            normHistory.forEach(n -> sb.append(String.format("%.3g ", n)));
        }
        sb.append(". Try ").append(config.clip() > 0 ? "a lower --clip" : "--clip 1.0").append(" or a lower --lr (now ")
                .append(config.lr()).append(").");
        return new DivergenceException(at, sb.toString().replace(" .", "."));
    }

    // ---- checkpoints ----

    /** Writes the checkpoint atomically: the model's tensors as "model.NAME", optimizer and task state, trainer state. */
    public void saveCheckpoint(Path file) throws IOException {
        var tensors = new LinkedHashMap<String, Tensor>();
        task.model().namedParameters().forEach((name, p) -> tensors.put("model." + name, p.value()));
        float[][] buffers = optimizer.stateBuffers();
        for (int i = 0; i < buffers.length; i++) tensors.put("optimizer.state" + i, Tensor.of(buffers[i], buffers[i].length));
        task.state().forEach((name, t) -> tensors.put("task." + name, t));
        if (bestWeights != null) bestWeights.forEach((name, t) -> tensors.put("best." + name, t));
        ObjectNode state = JSON.createObjectNode().put("step", step).put("optimizer_steps", optimizer.steps())
                .put("rng", rng.state()).put("best", best).put("evaluations_without_improvement", evaluationsWithoutImprovement);
        if (schedule instanceof Plateau p) {
            var arr = state.putArray("plateau");
            for (double v : p.state()) arr.add(v);
        }
        var metadata = new LinkedHashMap<String, String>(task.metadata());
        metadata.put(STATE_KEY, JSON.writeValueAsString(state));
        SafeTensors.write(file, tensors, metadata);
        long at = step;
        listeners.forEach(l -> l.checkpointed(at, file));
    }

    /** Restores everything {@link #saveCheckpoint} wrote; the model and optimizer must have the same shapes. */
    public void resume(Path file) throws IOException {
        SafeTensors saved = SafeTensors.read(file);
        String json = saved.metadata().get(STATE_KEY);
        if (json == null) throw new IllegalArgumentException(file + ": not a Recur checkpoint (no " + STATE_KEY + " metadata)");
        var model = new LinkedHashMap<String, Tensor>();
        var taskState = new LinkedHashMap<String, Tensor>();
        var best = new LinkedHashMap<String, Tensor>();
        saved.tensors().forEach((name, t) -> {
            if (name.startsWith("model.")) model.put(name.substring(6), t);
            else if (name.startsWith("task.")) taskState.put(name.substring(5), t);
            else if (name.startsWith("best.")) best.put(name.substring(5), t);
        });
        try {
            task.model().loadStateDict(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the checkpoint does not fit this model: " + e.getMessage(), e);
        }
        float[][] buffers = optimizer.stateBuffers();
        for (int i = 0; i < buffers.length; i++) {
            Tensor t = saved.tensors().get("optimizer.state" + i);
            if (t == null || t.size() != buffers[i].length) {
                throw new IllegalArgumentException(file + ": optimizer state " + i + " is missing or has the wrong size; "
                        + "was the checkpoint written with another optimizer?");
            }
            System.arraycopy(t.data(), t.offset(), buffers[i], 0, buffers[i].length);
        }
        task.restore(taskState);
        var state = JSON.readTree(json);
        step = state.get("step").asLong();
        optimizer.restoreSteps(state.get("optimizer_steps").asLong());
        rng.restore(state.get("rng").asLong());
        this.best = state.get("best").asDouble();
        evaluationsWithoutImprovement = state.get("evaluations_without_improvement").asInt();
        bestWeights = best.isEmpty() ? null : best;
        if (schedule instanceof Plateau p && state.has("plateau")) {
            double[] s = new double[state.get("plateau").size()];
            for (int i = 0; i < s.length; i++) s[i] = state.get("plateau").get(i).asDouble();
            p.restore(s);
        }
    }

    private static Map<String, Tensor> copyOf(Map<String, Variable> params) {
        var copy = new LinkedHashMap<String, Tensor>();
        params.forEach((name, p) -> copy.put(name, p.value().copy()));
        return copy;
    }
}
