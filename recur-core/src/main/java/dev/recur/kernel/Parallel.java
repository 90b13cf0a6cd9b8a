package dev.recur.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool Recur computes on, sized to the cores unless {@code RECUR_THREADS} (environment) or
 * {@code recur.threads} (system property) says otherwise, and changeable with {@link #setThreads(int)}.
 * Work is split across it, never by spawning threads per call.
 */
public final class Parallel {
    private static volatile int threads = initialThreads();
    private static volatile ForkJoinPool pool = threads > 1 ? new ForkJoinPool(threads) : null;

    private Parallel() {}

    public static int threads() {
        return threads;
    }

    /** Sets the number of threads kernels use; 1 runs everything on the caller's thread. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be at least 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        threads = n;
        pool = n > 1 ? new ForkJoinPool(n) : null;
        if (old != null) old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, tasks), spread over the pool; returns when all are done.
     * Tasks should be of similar size. Called from inside a pool thread, it runs the tasks there, in order.
     */
    public static void forEach(int tasks, IntConsumer body) {
        ForkJoinPool p = pool;
        if (tasks <= 1 || p == null || inPool(p)) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        p.invoke(new Split(0, tasks, body));
    }

    private static boolean inPool(ForkJoinPool p) {
        return Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == p;
    }

    private static int initialThreads() {
        String value = System.getProperty("recur.threads", System.getenv("RECUR_THREADS"));
        if (value == null || value.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("RECUR_THREADS must be a positive integer, got \"" + value + "\"");
    }

    private static final class Split extends RecursiveAction {
        private final int from, to;
        private final IntConsumer body;

        Split(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Split(from, mid, body), new Split(mid, to, body));
        }
    }
}
