package dev.recur.spark;

import dev.recur.optim.OptimizerType;
import dev.recur.optim.Schedule;
import dev.recur.optim.ScheduleType;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingListener;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The local-update modes. A round: each taking part starts from the global weights, trains K steps on its own part
 * of each batch with its own optimizer, and the new global weights are the average of theirs weighted by the
 * examples each trained on. {@code average}: every part takes part, and the optimizer state is averaged and carried
 * too (parameter averaging). {@code fedavg}: {@code --clients-per-round} parts drawn at random take part, each with
 * a fresh optimizer (federated averaging, McMahan et al. 2017).
 * <p>
 * To the {@link dev.recur.train.Trainer} a round is a step whose gradient is Δ = w − average and whose optimizer is
 * plain SGD at rate 1, so that w − Δ is the average (FedAvg as FedOpt, Reddi et al. 2021): validation, the best
 * weights, checkpoints and resume are the trainer's. The learning rate schedule runs over local steps.
 */
final class RoundTask extends DistributedTask {
    private final int steps;
    private final SparkTraining.Settings settings;
    private final TrainingPlan plan;
    private final Schedule schedule;
    private final long seed;
    private float[][] optimizerState;   // average mode
    private long optimizerSteps;
    private long started = -1;

    RoundTask(TrainingTask local, JavaSparkContext spark, Broadcast<Worker.Setup> setup, int parts, SparkTraining.Settings settings, TrainingPlan plan) {
        super(local, spark, setup, parts);
        this.steps = settings.localSteps();
        this.settings = settings;
        this.plan = plan;
        this.schedule = plan.newSchedule();
        this.seed = setup.value().seed();
        if (settings.mode() == SparkTraining.Mode.AVERAGE) {
            float[][] shapes = plan.optimizer().create(params, plan.lr()).stateBuffers();
            optimizerState = new float[shapes.length][];
            for (int i = 0; i < shapes.length; i++) optimizerState[i] = new float[shapes[i].length];
        }
    }

    /** Refuses what rounds cannot do, before Spark starts. */
    static void check(SparkTraining.Settings settings, TrainingPlan plan) {
        if (plan.schedule() == ScheduleType.PLATEAU) {
            throw new InvalidOptionException("--schedule plateau lowers the rate after validations, which rounds do not see; with --mode "
                    + settings.mode().name().toLowerCase() + " use wsd, cosine or constant");
        }
        if (settings.localSteps() < 1) throw new InvalidOptionException("--local-steps must be at least 1, got " + settings.localSteps());
    }

    /** Trains round by round: the budgets, validation and checkpoint intervals of {@code plan}, counted in local steps, become rounds. */
    TrainingRecipe.Outcome run(RunFiles files, Path resume, List<TrainingListener> listeners) throws IOException {
        var server = new TrainingPlan(rounds(plan.steps()), plan.epochs(), plan.time(), OptimizerType.SGD, 1f, 0, ScheduleType.CONSTANT, 0,
                plan.decay(), rounds(plan.evalEvery()), plan.patience(), rounds(plan.checkpointEvery()));
        return TrainingRecipe.run(this, server, files, resume, listeners);
    }

    private long rounds(long localSteps) {
        return (localSteps + steps - 1) / steps;
    }

    @Override
    public Batch trainBatch(long round) {
        if (started < 0) started = System.nanoTime();
        long first = round * steps;
        float[] lrs = new float[steps];
        for (int i = 0; i < steps; i++) lrs[i] = (float) (plan.lr() * schedule.factor(first + i, progress(first + i)));
        int[] chosen = chosen(round);
        Broadcast<float[]> weights = spark.broadcast(Flat.values(params));
        Broadcast<float[][]> optimizer = optimizerState == null ? null : spark.broadcast(optimizerState);
        var inputs = new ArrayList<Round.In>();
        for (int k : chosen) inputs.add(new Round.In(first, lrs, k, parts, states[k], plan.optimizer(), plan.clip(), optimizerSteps));
        Broadcast<Worker.Setup> run = setup;
        List<Round.Out> outs = SparkTraining.job(() -> spark.parallelize(inputs, inputs.size())
                .map(in -> Worker.round(run.value(), weights.value(), optimizer == null ? null : optimizer.value(), in)).collect());
        weights.destroy(false);
        if (optimizer != null) optimizer.destroy(false);

        double total = 0, weightedLoss = 0;
        long items = 0;
        double[] average = new double[Flat.size(params)];
        double[][] averageState = optimizerState == null ? null : new double[optimizerState.length][];
        if (averageState != null) for (int i = 0; i < averageState.length; i++) averageState[i] = new double[optimizerState[i].length];
        for (Round.Out out : outs) {   // in part order
            states[out.part()] = out.state();
            if (out.weight() == 0) continue;
            total += out.weight();
            weightedLoss += out.weightedLoss();
            items += out.items();
            for (int j = 0; j < average.length; j++) average[j] += out.weight() * out.weights()[j];
            if (averageState != null) {
                for (int i = 0; i < averageState.length; i++) {
                    for (int j = 0; j < averageState[i].length; j++) averageState[i][j] += out.weight() * out.optimizerState()[i][j];
                }
            }
        }
        if (total == 0) throw new IllegalStateException("round " + round + ": no worker had examples to train on");
        float[] now = Flat.values(params), delta = new float[now.length];
        for (int j = 0; j < now.length; j++) delta[j] = now[j] - (float) (average[j] / total);
        boolean[] all = new boolean[params.size()];
        Arrays.fill(all, true);
        Flat.setGrads(params, delta, all, 1);
        if (averageState != null) {
            for (int i = 0; i < averageState.length; i++) {
                for (int j = 0; j < averageState[i].length; j++) optimizerState[i][j] = (float) (averageState[i][j] / total);
            }
            optimizerSteps += steps;
        }
        return new Batch(weightedLoss / total, items, total);
    }

    /** The parts taking part in {@code round}: all, or in fedavg --clients-per-round drawn without replacement, in part order. */
    int[] chosen(long round) {
        Integer c = settings.clientsPerRound();
        if (settings.mode() != SparkTraining.Mode.FEDAVG || c == null || c >= parts) {
            int[] all = new int[parts];
            for (int k = 0; k < parts; k++) all[k] = k;
            return all;
        }
        return chosen(seed, round, parts, c);
    }

    static int[] chosen(long seed, long round, int parts, int count) {
        var rng = new Rng(seed * 0x9E3779B97F4A7C15L + round);
        int[] order = new int[parts];
        for (int k = 0; k < parts; k++) order[k] = k;
        for (int i = 0; i < count; i++) {
            int j = i + rng.nextInt(parts - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] picked = Arrays.copyOf(order, count);
        Arrays.sort(picked);
        return picked;
    }

    private double progress(long localStep) {
        double bySteps = 0, byTime = 0;
        long total = plan.steps() > 0 ? plan.steps() : plan.epochs() > 0 ? plan.epochs() * local.batchesPerEpoch() : -1;
        if (total > 0) bySteps = localStep / (double) total;
        if (plan.time() != null) byTime = (System.nanoTime() - started) / (double) plan.time().toNanos();
        return Math.min(1, Math.max(bySteps, byTime));
    }

    /** Rounds in one pass over the training data. */
    @Override
    public long batchesPerEpoch() {
        return rounds(local.batchesPerEpoch());
    }

    /** The averaged optimizer state and its step count (average mode). */
    @Override
    Map<String, Tensor> ownState() {
        var state = new LinkedHashMap<String, Tensor>();
        if (optimizerState != null) {
            for (int i = 0; i < optimizerState.length; i++) state.put(OPTIMIZER + i, Tensor.of(optimizerState[i].clone(), optimizerState[i].length));
            state.put(OPTIMIZER + "steps", new Rng(optimizerSteps).stateTensor());   // a long in exact 16-bit pieces
        }
        return state;
    }

    @Override
    boolean restoreOwn(String name, Tensor value) {
        if (!name.startsWith(OPTIMIZER)) return false;
        String what = name.substring(OPTIMIZER.length());
        if (optimizerState == null) return true;
        if (what.equals("steps")) {
            optimizerSteps = new Rng(0).restore(value).state();
        } else {
            int i = Integer.parseInt(what);
            if (i < optimizerState.length && value.size() == optimizerState[i].length) optimizerState[i] = value.toArray();
        }
        return true;
    }

    private static final String OPTIMIZER = "local optimizer/";
}
