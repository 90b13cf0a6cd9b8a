package dev.recur.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.autograd.NonFiniteException;
import dev.recur.autograd.Variable;
import dev.recur.io.Checkpoint;
import dev.recur.io.ModelFormatException;
import dev.recur.optim.GradClip;
import dev.recur.optim.Optimizer;
import dev.recur.optim.Schedule;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The training loop: for each step, the task's forward and backward, a divergence check, clipping, the
 * schedule's learning rate and the optimizer step; validation, early stopping, keeping the best weights and
 * atomic checkpoints at their intervals.
 * <p>
 * A {@link Checkpoint} holds the weights, the optimizer's state, the step, the schedule's state and the task's
 * state (its random generator included), so {@link #resume} followed by {@link #run} continues exactly as an
 * uninterrupted run would (same thread count: bitwise the same weights).
 * <p>
 * Divergence stops training with a {@link DivergenceException} naming the step, what blew up, the learning rate
 * in force, the parameter whose gradient is largest and the recent gradient norms: a NaN or infinite loss or
 * gradient, or a loss that stays above {@value #BLOWN_FACTOR} times where the run started (the first step's loss, or
 * the loss of a uniform guess when the task knows it and it is higher) in half of the last {@value #BLOWN_STEPS}
 * steps (a loss that swings between its start and far above it has blown up too). No checkpoint is written while
 * any of the last steps was that high, so the last good one stays loadable.
 */
public final class Trainer {
    /** A loss above this multiple of the starting loss counts as blown up. */
    static final int BLOWN_FACTOR = 4;
    /** The window of steps watched for blown-up losses; half of it blown up makes a divergence. */
    static final int BLOWN_STEPS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HISTORY = 5;

    private final TrainingTask task;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final TrainerConfig config;
    private final List<TrainingListener> listeners;
    private final ArrayDeque<Double> normHistory = new ArrayDeque<>();
    private LongSupplier clock = System::nanoTime;
    private long step;
    private Metrics best;
    private double startingLoss = Double.NaN;
    private final ArrayDeque<Boolean> blown = new ArrayDeque<>();
    private int blownSteps;   // in the window
    private int evaluationsWithoutImprovement;
    private Map<String, Tensor> bestWeights;

    public Trainer(TrainingTask task, Optimizer optimizer, Schedule schedule, TrainerConfig config, List<TrainingListener> listeners) {
        this.task = task;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.config = config;
        this.listeners = List.copyOf(listeners);
    }

    /** Reads time from {@code nanoTime} instead of {@link System#nanoTime()}: a test's clock makes time budgets deterministic. */
    public Trainer withClock(LongSupplier nanoTime) {
        this.clock = nanoTime;
        return this;
    }

    /** What a run did; {@code best} is the best validation, null when none ran. */
    public record Result(long steps, double lastLoss, Metrics best, double seconds, boolean stoppedEarly) {}

    /** Trains until a budget is reached; keeps the best validated weights in the model when validation ran. */
    public Result run() throws IOException {
        long startStep = step;
        long total = totalSteps();
        listeners.forEach(l -> l.started(startStep, total));
        long started = clock.getAsLong();
        long windowStart = started, windowItems = 0;
        double lastLoss = Double.NaN;
        boolean early = false;
        while (!budgetReached(started)) {
            optimizer.zeroGrad();
            float lr = (float) (config.lr() * schedule.factor(step, progress(started, total)));
            optimizer.setLr(lr);
            TrainingTask.Batch batch;
            try {
                batch = task.trainBatch(step);
            } catch (NonFiniteException e) {
                throw diverged(step + 1, e.getMessage(), lr);
            }
            // One pass over the gradients: the norm before clipping (a non-finite norm leaves them unscaled).
            double norm = config.clip() > 0 ? GradClip.byNorm(optimizer.params(), config.clip()) : GradClip.norm(optimizer.params());
            if (!Double.isFinite(batch.loss()) || !Double.isFinite(norm)) {
                throw diverged(step + 1, Double.isFinite(batch.loss()) ? "gradient norm is " + norm : "loss is " + batch.loss(), lr);
            }
            watchLoss(batch.loss(), lr);
            optimizer.step();
            step++;
            lastLoss = batch.loss();
            remember(norm);

            windowItems += batch.items();
            long now = clock.getAsLong();
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
            if (config.checkpoint() != null && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0 && blownSteps == 0) {
                saveCheckpoint(config.checkpoint());
            }
        }
        // The checkpoint first, so it holds exactly the state an uninterrupted run would have here.
        if (config.checkpoint() != null) saveCheckpoint(config.checkpoint());
        if (!early && (config.evalEvery() == 0 || step % config.evalEvery() != 0)) evaluate(false);
        if (bestWeights != null) task.model().loadStateDict(bestWeights);
        var result = new Result(step, lastLoss, best, (clock.getAsLong() - started) / 1e9, early);
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
        Metrics metrics = task.validate();
        boolean improved = best == null || metrics.better().improves(metrics.value(), best.value());
        if (improved) {
            best = metrics;
            bestWeights = copyOf(task.model().namedParameters());
        }
        if (periodic) {
            evaluationsWithoutImprovement = improved ? 0 : evaluationsWithoutImprovement + 1;
            schedule.observe(metrics.better().asLoss(metrics.value()));
        }
        long at = step;
        listeners.forEach(l -> l.evaluated(at, metrics, improved));
        return config.patience() > 0 && evaluationsWithoutImprovement >= config.patience();
    }

    /** Counts the recent steps whose loss is far above the starting loss; too many is a divergence. */
    private void watchLoss(double loss, float lr) {
        if (Double.isNaN(startingLoss)) {
            double chance = task.chanceLoss();
            startingLoss = Double.isFinite(chance) ? Math.max(loss, chance) : loss;
        }
        double limit = startingLoss + (BLOWN_FACTOR - 1) * Math.max(Math.abs(startingLoss), 1e-6);
        boolean high = loss > limit;
        blown.addLast(high);
        blownSteps += high ? 1 : 0;
        if (blown.size() > BLOWN_STEPS && blown.removeFirst()) blownSteps--;
        if (2 * blownSteps >= BLOWN_STEPS) {
            throw diverged(step + 1, String.format("the loss was above %d times its starting value (%.4g) in %d of the last %d steps, now %.4g",
                    BLOWN_FACTOR, startingLoss, blownSteps, blown.size(), loss), lr);
        }
    }

    private boolean budgetReached(long started) {
        if (config.steps() > 0 && step >= config.steps()) return true;
        if (config.epochs() > 0 && step >= config.epochs() * task.batchesPerEpoch()) return true;
        return config.time() != null && clock.getAsLong() - started >= config.time().toNanos();
    }

    /** The fraction of the budget spent: the larger of steps / step budget and elapsed / time budget. */
    private double progress(long started, long total) {
        double byTime = config.time() != null ? (clock.getAsLong() - started) / (double) config.time().toNanos() : 0;
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

    private DivergenceException diverged(long at, String what, float lr) {
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
        var sb = new StringBuilder("step ").append(at).append(": ").append(what);
        sb.append(String.format(" at learning rate %.3g", lr));
        if (worst != null) sb.append(String.format("; the largest gradient is in %s (norm %.3g)", worst, worstNorm));
        if (!normHistory.isEmpty()) {
            sb.append("; gradient norms of the last steps: ");
            normHistory.forEach(n -> sb.append(String.format("%.3g ", n)));
        }
        sb.append(String.format(". Try a lower learning rate (lr, now %.3g)", config.lr()))
                .append(config.clip() > 0 ? String.format(" or a lower gradient clip (clip, now %.3g)", config.clip()) : " or clipping the gradient norm (clip 1.0)")
                .append(".");
        return new DivergenceException(at, sb.toString().replace(" .", ".").replace(" ;", ";"));
    }

    // ---- checkpoints ----

    /** Writes the {@link Checkpoint} atomically. */
    public void saveCheckpoint(Path file) throws IOException {
        var model = new LinkedHashMap<String, Tensor>();
        task.model().namedParameters().forEach((name, p) -> model.put(name, p.value()));
        var buffers = new ArrayList<Tensor>();
        for (float[] b : optimizer.stateBuffers()) buffers.add(Tensor.of(b, b.length));
        ObjectNode state = JSON.createObjectNode().put("step", step).put("optimizer_steps", optimizer.steps())
                .put("evaluations_without_improvement", evaluationsWithoutImprovement);
        if (best != null) {
            state.put("best", best.value()).put("better", best.better().name().toLowerCase());
            best.values().forEach(state.putObject("best_metrics")::put);
            state.put("best_primary", best.primary());
        }
        if (!Double.isNaN(startingLoss)) state.put("starting_loss", startingLoss);
        var scheduleState = state.putArray("schedule");
        for (double v : schedule.state()) scheduleState.add(v);
        new Checkpoint(task.modelConfig(), model, buffers, task.state(), bestWeights, state).write(file);
        long at = step;
        listeners.forEach(l -> l.checkpointed(at, file));
    }

    /** Restores everything {@link #saveCheckpoint} wrote; the model and optimizer must have the same shapes. */
    public void resume(Path file) throws IOException {
        Checkpoint saved = Checkpoint.read(file);
        try {
            task.model().loadStateDict(saved.model());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.toString(), "the checkpoint does not fit this model: " + e.getMessage(), e);
        }
        float[][] buffers = optimizer.stateBuffers();
        for (int i = 0; i < buffers.length; i++) {
            Tensor t = i < saved.optimizer().size() ? saved.optimizer().get(i) : null;
            if (t == null || t.size() != buffers[i].length) {
                throw new ModelFormatException(file.toString(), "optimizer state " + i + " is missing or has the wrong size; "
                        + "was the checkpoint written with another optimizer?");
            }
            System.arraycopy(t.data(), t.offset(), buffers[i], 0, buffers[i].length);
        }
        task.restore(saved.task());
        JsonNode state = saved.trainer();
        step = state.get("step").asLong();
        optimizer.restoreSteps(state.get("optimizer_steps").asLong());
        evaluationsWithoutImprovement = state.get("evaluations_without_improvement").asInt();
        best = bestOf(state);
        startingLoss = state.has("starting_loss") ? state.get("starting_loss").asDouble() : Double.NaN;
        bestWeights = saved.best();
        // "plateau": the key checkpoints used before schedules saved their own state.
        JsonNode s = state.has("schedule") ? state.get("schedule") : state.get("plateau");
        if (s != null && s.size() > 0) {
            double[] values = new double[s.size()];
            for (int i = 0; i < values.length; i++) values[i] = s.get(i).asDouble();
            schedule.restore(values);
        }
    }

    /** The best metrics a checkpoint recorded; older checkpoints kept one lower-is-better number ("best", infinite when none). */
    private static Metrics bestOf(JsonNode state) {
        JsonNode value = state.get("best");
        if (value == null || !Double.isFinite(value.asDouble())) return null;
        if (!state.has("best_metrics")) return Metrics.lower("validation", value.asDouble());
        var values = new LinkedHashMap<String, Double>();
        state.get("best_metrics").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asDouble()));
        return new Metrics(state.get("best_primary").asText(), Metrics.Better.valueOf(state.get("better").asText().toUpperCase()), values);
    }

    private static Map<String, Tensor> copyOf(Map<String, Variable> params) {
        var copy = new LinkedHashMap<String, Tensor>();
        params.forEach((name, p) -> copy.put(name, p.value().copy()));
        return copy;
    }
}
