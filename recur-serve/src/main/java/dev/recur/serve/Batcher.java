package dev.recur.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * A model's queue of work that runs in batches, and the one thread that runs it: the thread takes the first item
 * queued, then whatever else arrives within {@code wait} of it, up to {@code maxBatch} sequences in all (an item
 * counts {@code columns} of them), and hands them to {@code run} together, which answers each in order. It waits
 * only while work comes in company: after a batch of one sequence, the next takes what is queued and runs at
 * once, so a lone stream is never delayed; and a lone item that finds nothing queued or running runs on the
 * caller's thread, sparing it two hand-overs between threads.
 */
final class Batcher<T> {
    private record Entry<T>(T item, CompletableFuture<ObjectNode> result) {}

    private final BlockingQueue<Entry<T>> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final long waitNanos;
    private final ToIntFunction<T> columns;
    private final Function<List<T>, List<ObjectNode>> run;
    private final IntConsumer sizes;
    private final Thread worker;
    private final ReentrantLock turn = new ReentrantLock();   // held while a batch runs, by whichever thread runs it
    private volatile Entry<T> held;   // taken, but too large for the batch it came to: the first of the next
    private volatile int lastSize;   // sequences in the batch before

    Batcher(String name, int maxBatch, Duration wait, ToIntFunction<T> columns, Function<List<T>, List<ObjectNode>> run, IntConsumer sizes) {
        this.maxBatch = maxBatch;
        this.waitNanos = wait.toNanos();
        this.columns = columns;
        this.run = run;
        this.sizes = sizes;
        this.worker = new Thread(this::work, "recur-batch-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues {@code item}; the future completes with its answer once its batch has run. */
    CompletableFuture<ObjectNode> submit(T item) {
        var entry = new Entry<>(item, new CompletableFuture<ObjectNode>());
        if (lastSize <= 1 && columns.applyAsInt(item) == 1 && queue.isEmpty() && held == null && turn.tryLock()) {
            try {
                if (queue.isEmpty()) {
                    runBatch(List.of(entry));
                    return entry.result();
                }
            } finally {
                turn.unlock();
            }
        }
        queue.add(entry);
        return entry.result();
    }

    /** Stops the thread; what is still queued is not run. */
    void stop() {
        worker.interrupt();
    }

    private void work() {
        try {
            while (true) {
                Entry<T> first = held != null ? held : queue.take();
                held = null;
                turn.lock();   // what arrives while another batch runs is queued meanwhile, and joins this one
                try {
                    runBatch(after(first));
                } finally {
                    turn.unlock();
                }
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    private void runBatch(List<Entry<T>> batch) {
        int size = batch.stream().mapToInt(e -> columns.applyAsInt(e.item())).sum();
        lastSize = size;
        sizes.accept(size);
        try {
            List<ObjectNode> results = run.apply(batch.stream().map(Entry::item).toList());
            for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(results.get(i));
        } catch (Throwable e) {
            batch.forEach(entry -> entry.result().completeExceptionally(e));
        }
    }

    /** {@code first} and what is queued or comes within the wait, up to {@code maxBatch} sequences. */
    private List<Entry<T>> after(Entry<T> first) throws InterruptedException {
        var batch = new ArrayList<Entry<T>>(List.of(first));
        int size = columns.applyAsInt(first.item());
        long deadline = System.nanoTime() + (lastSize > 1 || !queue.isEmpty() ? waitNanos : 0);
        while (size < maxBatch) {
            long left = deadline - System.nanoTime();
            Entry<T> e = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (e == null) break;
            int n = columns.applyAsInt(e.item());
            if (size + n > maxBatch) {
                held = e;
                break;
            }
            batch.add(e);
            size += n;
        }
        return batch;
    }
}
