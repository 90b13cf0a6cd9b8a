package dev.recur.spark;

import dev.recur.autograd.Variable;
import dev.recur.cli.CommonOptions;
import dev.recur.cli.TrainingOptions;
import dev.recur.spark.cli.SparkCommands;
import dev.recur.spark.cli.SparkOptions;
import dev.recur.tensor.Rng;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import picocli.CommandLine;

/**
 * A worker's side of a distributed run: the task rebuilt from the run's command line, with the driver's model
 * (configuration, vocabularies and weights) in place of a new one, kept per executor JVM and part for the run's
 * length. Every step loads the weights and the part's state it is sent, so a step is a function of its inputs: a
 * retried task, on this executor or another, computes the same floats.
 */
final class Worker {
    /** Workers of the runs in this JVM, by run and part. */
    private static final Map<String, Worker> WORKERS = new ConcurrentHashMap<>();

    /** What every worker of a run needs to rebuild the task: the command, its arguments and the model it starts from. */
    record Setup(String runId, String task, List<String> args, byte[] model, long seed, String failAt) implements Serializable {}

    private final TrainingTask task;
    private final List<Variable> params;
    private final long seed;
    private dev.recur.optim.Optimizer optimizer;   // local-update modes

    private Worker(TrainingTask task, long seed) {
        this.task = task;
        this.params = task.model().parameters();
        this.seed = seed;
    }

    static Worker of(Setup setup, int part) {
        return WORKERS.computeIfAbsent(setup.runId() + "/" + part, key -> new Worker(build(setup), setup.seed()));
    }

    /** Forgets the workers of run {@code runId} in this JVM. */
    static void release(String runId) {
        WORKERS.keySet().removeIf(key -> key.startsWith(runId + "/"));
    }

    /** What the driver's pre-flight check learns from a worker: its task's model configuration and batches, or why it has none. */
    record Check(int part, String host, String config, long batchesPerEpoch, String error) implements Serializable {}

    static Check check(Setup setup, int part) {
        try {
            TrainingTask task = of(setup, part).task;
            return new Check(part, host(), task.modelConfig().toString(), task.batchesPerEpoch(), null);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getMessage() == null) cause = cause.getCause();
            return new Check(part, host(), null, 0, cause.getMessage() == null ? cause.toString() : cause.getMessage());
        }
    }

    /** One step of one part, with the weights {@code weights}. */
    static Step.Out step(Setup setup, float[] weights, Step.In in) {
        failIfAsked(setup.failAt(), in.index(), in.part());
        Worker w = of(setup, in.part());
        long started = System.nanoTime();
        Flat.setValues(w.params, weights);
        w.restore(in.state(), in.part());
        w.task.model().zeroGrad();
        TrainingTask.Batch batch;
        try {
            batch = w.task.trainBatch(in.index(), in.part(), in.parts());
        } catch (dev.recur.autograd.NonFiniteException e) {
            // a blown-up part: a NaN loss, which the driver's trainer reports as a divergence
            return new Step.Out(in.part(), Double.NaN, 0, 1, new float[Flat.size(w.params)], new boolean[w.params.size()],
                    in.state(), System.nanoTime() - started, host());
        }
        boolean[] has = new boolean[w.params.size()];
        float[] grad = Flat.grads(w.params, has);
        return new Step.Out(in.part(), batch.loss(), batch.items(), batch.weight(), grad, has, Tensors.of(w.task.state()),
                System.nanoTime() - started, host());
    }

    /** One round of local steps of one part, from the weights {@code weights} (and optimizer state, in average mode). */
    static Round.Out round(Setup setup, float[] weights, float[][] optimizerState, Round.In in) {
        failIfAsked(setup.failAt(), in.first(), in.part());
        Worker w = of(setup, in.part());
        Flat.setValues(w.params, weights);
        w.restore(in.state(), in.part());
        if (w.optimizer == null) w.optimizer = in.optimizer().create(w.params, 1e-3f);
        return Round.run(w.task, w.optimizer, optimizerState, in);
    }

    /** The part's saved state, or at the start a generator of the part's own. */
    private void restore(Tensors state, int part) {
        if (state != null) task.restore(state.toMap());
        else if (task.rng() != null) task.restore(Map.of("rng", new Rng(seed + 0x9E3779B97F4A7C15L * part).stateTensor()));
    }

    /**
     * The test hook: "STEP:PART" (the system property recur.spark.failAt on the driver) makes the first attempt of
     * that part's task at that step end its JVM, as a crashed executor would.
     */
    private static void failIfAsked(String failAt, long step, int part) {
        if (failAt == null) return;
        String[] at = failAt.split(":");
        TaskContext context = TaskContext.get();
        if (context != null && context.attemptNumber() == 0 && Long.parseLong(at[0]) == step && Integer.parseInt(at[1]) == part) {
            System.err.println("recur: failing part " + part + " at step " + step + " as asked");
            Runtime.getRuntime().halt(17);
        }
    }

    static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

    /** Runs the train command as given, up to the point where it would train, and takes its task. */
    private static TrainingTask build(Setup setup) {
        try {
            Path dir = Files.createTempDirectory("recur-worker");
            dir.toFile().deleteOnExit();
            Path model = dir.resolve("start.safetensors");
            Files.write(model, setup.model());
            model.toFile().deleteOnExit();
            CommandLine train = SparkCommands.trainCommand(setup.task(), setup.args());
            TrainingOptions training = SparkOptions.mixin(train, TrainingOptions.class);
            SparkOptions.mixin(train, CommonOptions.class).quiet = true;
            training.out = dir.resolve("worker.safetensors");
            training.resume = model;
            training.runWith((task, plan, files, resume, listeners) -> {
                throw new Captured(task);
            });
            try {
                ((Callable<?>) train.getCommand()).call();
            } catch (Captured c) {
                return c.task;
            }
            throw new IllegalStateException("recur " + setup.task() + " train finished without training");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Carries the task out of the command. */
    private static final class Captured extends RuntimeException {
        final transient TrainingTask task;

        Captured(TrainingTask task) {
            super(null, null, false, false);
            this.task = task;
        }
    }
}
