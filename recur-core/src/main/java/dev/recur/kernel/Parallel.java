package dev.recur.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The threads Recur computes on: the caller plus {@code threads − 1} daemon workers, sized to the cores unless
 * {@code RECUR_THREADS} (environment) or {@code recur.threads} (system property) says otherwise, and changeable
 * with {@link #setThreads(int)}. Work is split across them, never by spawning threads per call.
 * <p>
 * A kernel call may take only tens of microseconds (a matrix-vector product for one time step), so after a job a
 * worker spins for a while (200 µs unless {@link #setSpin} says otherwise) before it parks: back-to-back calls find it awake. (A ForkJoinPool parks
 * at once, and waking it cost more than a 60 µs product gained from a second thread.)
 */
public final class Parallel {
    private static volatile long spinNanos = 200_000;

    private static volatile int threads = initialThreads();
    private static volatile Pool pool = threads > 1 ? new Pool(threads - 1) : null;

    private Parallel() {}

    public static int threads() {
        return threads;
    }

    /**
     * How long an idle worker spins before it parks. A server whose steps come a request apart sets it short: its
     * kernels' calls within a step follow each other closely, and between requests the cores are the clients'.
     */
    public static void setSpin(java.time.Duration spin) {
        if (spin.isNegative()) throw new IllegalArgumentException("spin must not be negative, got " + spin);
        spinNanos = spin.toNanos();
    }

    /** Sets the number of threads kernels use; 1 runs everything on the caller's thread. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be at least 1, got " + n);
        if (n == threads) return;
        Pool old = pool;
        threads = n;
        pool = n > 1 ? new Pool(n - 1) : null;
        if (old != null) old.shutdown();
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, tasks), spread over the caller and the workers; returns when
     * all are done, rethrowing the first failure. Tasks should be of similar size. A call made while another is
     * running (from a task, or from a second thread) runs its tasks on its own thread, in order.
     */
    public static void forEach(int tasks, IntConsumer body) {
        Pool p = pool;
        if (tasks <= 1 || p == null || !p.busy.compareAndSet(false, true)) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        try {
            p.run(new Job(tasks, body));
        } finally {
            p.busy.set(false);
        }
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

    /** One forEach call: tasks are claimed from {@code next} by whoever is free; {@code done} counts finished ones. */
    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure == null) body.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final class Pool {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job current;
        volatile boolean stopped;

        Pool(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker(this);
                workers[i].setName("recur-compute-" + (i + 1));
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }

        void run(Job job) {
            current = job;
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            job.work();
            for (int spins = 0; job.done.get() < job.tasks; spins++) {
                if (spins < 10_000) Thread.onSpinWait();
                else Thread.yield();   // a worker lost its core: let it have ours
            }
            current = null;
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure);
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        volatile boolean parked;

        Worker(Pool pool) {
            this.pool = pool;
        }

        @Override
        public void run() {
            Job last = null;
            long idleSince = System.nanoTime();
            while (!pool.stopped) {
                Job job = pool.current;
                if (job != null && job != last) {
                    last = job;
                    job.work();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    // Announce the park, then look once more, so a job published meanwhile is not missed.
                    parked = true;
                    Job now = pool.current;
                    if ((now == null || now == last) && !pool.stopped) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
