package dev.recur.spark;

import dev.recur.io.ModelFile;
import dev.recur.tensor.InvalidInputException;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.train.RunFiles;
import dev.recur.train.TrainingListener;
import dev.recur.train.TrainingPlan;
import dev.recur.train.TrainingRecipe;
import dev.recur.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A training run on Spark: starts the context, waits for executors, has every worker rebuild the task from the
 * command line and checks they built the model the driver has, then trains with the {@link TrainingRecipe} on a
 * distributed task ({@link SyncTask}, or {@link RoundTask} for the local-update modes). The model file, the
 * checkpoint and the metrics are the driver's and the same kinds as on one machine.
 */
public final class SparkTraining {
    private SparkTraining() {}

    /** How to train: where, on how many workers, in which mode. */
    public record Settings(String master, Integer workers, Mode mode, int localSteps, Integer clientsPerRound,
                           Reduce reduce, Map<String, String> conf, boolean quiet) {}

    /** Synchronous gradients every step, parameter averaging every K local steps, or federated averaging. */
    public enum Mode { SYNC, AVERAGE, FEDAVG }

    /** How the parts' gradients reach the driver in sync mode. */
    public enum Reduce {
        /** Collected in part order and summed on the driver: the same floats on every run. */
        DRIVER,
        /** Spark's treeAggregate: partial sums on the executors, added in the order they arrive. */
        TREE
    }

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\d+)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");
    /** How long to wait for executors to register before giving up on the master. */
    private static volatile SyncTask.Exchange lastExchange;

    /** The step times of the last synchronous run in this JVM (for benchmarks), or null. */
    public static SyncTask.Exchange lastExchange() {
        return lastExchange;
    }

    static long waitSeconds() {
        return Long.getLong("recur.spark.wait", 60);
    }

    /**
     * Trains {@code task} (the driver's, built by {@code recur TASK train} with {@code args}) as {@code settings} say;
     * {@code batch} is the global batch the command was given, dealt to the workers (0 when the task has none).
     */
    public static TrainingRecipe.Outcome run(Settings settings, String taskName, List<String> args, long seed, int batch,
                                             TrainingTask task, TrainingPlan plan, RunFiles files, Path resume,
                                             List<TrainingListener> listeners) throws IOException {
        if (settings.workers() != null) checkWorkers(settings, settings.workers(), Integer.MAX_VALUE, batch);   // before Spark starts
        if (settings.mode() != Mode.SYNC) RoundTask.check(settings, plan);
        SparkConf conf = conf(settings, taskName);
        JavaSparkContext spark = start(conf, settings.master());
        String runId = UUID.randomUUID().toString();
        var failures = new java.util.concurrent.atomic.AtomicInteger();
        spark.sc().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) failures.incrementAndGet();
            }
        });
        try {
            int slots = awaitExecutors(spark, settings.master());
            int workers = settings.workers() != null ? settings.workers() : slots;
            checkWorkers(settings, workers, slots, batch);
            var setup = spark.broadcast(new Worker.Setup(runId, taskName, List.copyOf(args), modelBytes(task), seed,
                    System.getProperty("recur.spark.failAt")));
            preflight(spark, setup, workers, task);
            if (!settings.quiet()) {
                System.err.printf("spark %s: %d workers, %s%s%n", settings.master(), workers, settings.mode().name().toLowerCase(),
                        settings.mode() == Mode.SYNC ? ", global batch " + (batch > 0 ? batch + " = " + workers + " × " + batch / workers : "dealt to the workers")
                                : ", " + settings.localSteps() + " local steps per round");
            }
            if (settings.mode() == Mode.SYNC) {
                var sync = new SyncTask(task, spark, setup, workers, settings.reduce());
                lastExchange = sync.exchange();
                var outcome = TrainingRecipe.run(sync, plan, files, resume, listeners);
                report(settings, sync.exchange(), failures.get());
                return outcome;
            }
            var outcome = new RoundTask(task, spark, setup, workers, settings, plan).run(files, resume, listeners);
            report(settings, null, failures.get());
            return outcome;
        } finally {
            Worker.release(runId);
            spark.stop();
        }
    }

    static SparkConf conf(Settings settings, String taskName) {
        SparkConf conf = LocalSpark.conf(settings.master(), "recur " + taskName + " train");
        conf.setIfMissing("spark.driver.maxResultSize", "0");
        conf.setIfMissing("spark.broadcast.compress", "false");
        conf.setIfMissing("spark.ui.enabled", "false");
        Matcher cluster = LOCAL_CLUSTER.matcher(settings.master());
        if (cluster.matches()) {
            conf.setIfMissing("spark.executorEnv.RECUR_THREADS", cluster.group(2));
            conf.setIfMissing("spark.executor.memory", cluster.group(3) + "m");   // the whole of each local worker
        }
        else if (conf.contains("spark.executor.cores")) conf.setIfMissing("spark.executorEnv.RECUR_THREADS", conf.get("spark.executor.cores"));
        String home = System.getProperty("recur.home");
        if (home != null) {
            conf.set("spark.executor.extraJavaOptions", (conf.get("spark.executor.extraJavaOptions", "") + " -Drecur.home=" + home).strip());
        }
        settings.conf().forEach(conf::set);
        return conf;
    }

    /**
     * Starts the context. Against a standalone master it blocks until the application registers, for up to a minute
     * of Spark's own retries; this waits {@link #waitSeconds()} and gives up with a one-line error (a context that
     * starts later is stopped at once).
     */
    private static JavaSparkContext start(SparkConf conf, String master) {
        reachable(master);
        var started = new java.util.concurrent.CompletableFuture<JavaSparkContext>();
        var abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        var starter = new Thread(() -> {
            try {
                var context = new JavaSparkContext(conf);
                if (!started.complete(context) || abandoned.get()) context.stop();
            } catch (Throwable e) {   // SparkException is checked, but thrown from Scala undeclared
                started.completeExceptionally(e);
            }
        }, "recur-spark-start");
        starter.setDaemon(true);
        starter.start();
        try {
            return started.get(waitSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            abandoned.set(true);
            started.cancel(false);
            throw unreachable(master);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new InvalidOptionException("--master " + master + ": " + firstLine(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Spark");
        }
    }

    /**
     * A standalone master ({@code spark://HOST:PORT[,HOST:PORT]}) must accept a connection: Spark itself would retry for
     * a minute, and the context it then stops would take down any other context of this JVM with it.
     */
    static void reachable(String master) {
        if (!master.startsWith("spark://")) return;
        String failure = null;
        for (String address : master.substring("spark://".length()).split(",")) {
            int colon = address.lastIndexOf(':');
            String host = colon > 0 ? address.substring(0, colon) : address;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : 7077;
            } catch (NumberFormatException e) {
                throw new InvalidOptionException("--master " + master + ": \"" + address + "\" is not HOST:PORT");
            }
            try (var socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), (int) Math.min(10_000, waitSeconds() * 1000));
                return;
            } catch (IOException e) {
                failure = "cannot connect to " + host + ":" + port + " (" + firstLine(e) + ")";
            }
        }
        throw new InvalidOptionException("--master " + master + ": " + failure + "; is the master's URL right and is it running?");
    }

    private static InvalidOptionException unreachable(String master) {
        return new InvalidOptionException("--master " + master + ": no executors registered within " + waitSeconds()
                + " s; is the master's URL right, is it running, and does it have free cores?");
    }

    /** Waits until the executors have registered; returns the task slots. */
    private static int awaitExecutors(JavaSparkContext spark, String master) {
        Matcher local = LOCAL.matcher(master);
        if (local.matches()) {
            String n = local.group(1);
            return n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(master);
        int wanted = cluster.matches() ? Integer.parseInt(cluster.group(1)) : 1;
        long deadline = System.nanoTime() + waitSeconds() * 1_000_000_000L;
        while (spark.statusTracker().getExecutorInfos().length - 1 < wanted) {
            if (spark.sc().isStopped() || System.nanoTime() > deadline) throw unreachable(master);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors");
            }
        }
        int cores = cluster.matches() ? wanted * Integer.parseInt(cluster.group(2)) : spark.defaultParallelism();
        return Math.max(1, cores / spark.getConf().getInt("spark.task.cpus", 1));   // a task may take several cores
    }

    private static void checkWorkers(Settings settings, int workers, int slots, int batch) {
        if (workers < 1) throw new InvalidOptionException("--workers must be at least 1, got " + workers);
        if (workers > slots) {
            throw new InvalidOptionException("--workers " + workers + " is more than the " + slots + " task slots of --master " + settings.master()
                    + "; give at most " + slots + " (workers must run at once)");
        }
        if (batch > 0 && batch < workers) throw new InvalidOptionException("--batch " + batch + " is smaller than --workers " + workers + ": every worker needs part of the batch");
        if (batch > 0 && batch % workers != 0) {
            throw new InvalidOptionException("--batch " + batch + " does not divide among --workers " + workers + "; give a multiple of " + workers);
        }
        if (settings.mode() == Mode.FEDAVG && settings.clientsPerRound() != null && (settings.clientsPerRound() < 1 || settings.clientsPerRound() > workers)) {
            throw new InvalidOptionException("--clients-per-round must be in [1, --workers " + workers + "], got " + settings.clientsPerRound());
        }
    }

    /** Every worker builds its task; any that cannot, or that builds another model than the driver's, stops the run here. */
    private static void preflight(JavaSparkContext spark, Broadcast<Worker.Setup> setup, int workers, TrainingTask task) {
        var parts = new ArrayList<Integer>();
        for (int k = 0; k < workers; k++) parts.add(k);
        List<Worker.Check> checks = job(() -> spark.parallelize(parts, workers).map(k -> Worker.check(setup.value(), k)).collect());
        String config = task.modelConfig().toString();
        for (Worker.Check c : checks) {
            if (c.error() != null) throw new InvalidInputException("worker " + c.part() + " on " + c.host() + ": " + c.error());
            if (!c.config().equals(config) || c.batchesPerEpoch() != task.batchesPerEpoch()) {
                throw new InvalidInputException("worker " + c.part() + " on " + c.host() + " built another model or data than the driver"
                        + "; every worker must read the same data");
            }
        }
    }

    private static byte[] modelBytes(TrainingTask task) throws IOException {
        Path file = Files.createTempFile("recur-start", ".safetensors");
        try {
            ModelFile.write(file, task.modelConfig(), task.model().stateDict());
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void report(Settings settings, SyncTask.Exchange exchange, int failures) {
        if (settings.quiet()) return;
        if (exchange != null && exchange.steps > 0) {
            System.err.printf("spark: %,d steps, %.0f ms each, of which the slowest worker computed %.0f ms: %.0f%% exchange and scheduling%n",
                    exchange.steps, exchange.wallNanos / 1e6 / exchange.steps, exchange.computeNanos / 1e6 / exchange.steps, 100 * exchange.share());
        }
        if (failures > 0) System.err.printf("spark: %d failed task%s rerun%n", failures, failures == 1 ? "" : "s");
    }

    /**
     * Runs a Spark job; a failure that Spark's retries did not cure becomes one line: the cause's own message
     * (a worker's exception), not Spark's report with its stack traces.
     */
    static <T> T job(java.util.function.Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) {   // SparkException is checked, but thrown from Scala undeclared
            Throwable cause = e;
            while (cause.getCause() != null) cause = cause.getCause();
            String message = firstLine(cause == e ? e : cause);
            throw new IllegalStateException("a Spark job failed" + (cause == e ? ": " : " in a worker: ") + message, e);
        }
    }

    static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) t = t.getCause();
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
