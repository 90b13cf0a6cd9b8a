package dev.recur.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private static final int THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(THREADS);
    }

    @Test
    void runsEveryTaskExactlyOnceForManyCallsAndThreadCounts() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int call = 0; call < 2000; call++) {
                int tasks = call % 7;
                var counts = new AtomicIntegerArray(tasks);
                Parallel.forEach(tasks, counts::incrementAndGet);
                for (int i = 0; i < tasks; i++) assertThat(counts.get(i)).as("task %d of %d", i, tasks).isEqualTo(1);
            }
        }
    }

    @Test
    void nestedCallsRunOnTheCallingThread() {
        Parallel.setThreads(2);
        var counts = new AtomicIntegerArray(4 * 3);
        Parallel.forEach(4, i -> Parallel.forEach(3, j -> counts.incrementAndGet(i * 3 + j)));
        for (int i = 0; i < counts.length(); i++) assertThat(counts.get(i)).isEqualTo(1);
    }

    @Test
    void aFailingTaskIsRethrownAndThePoolStaysUsable() {
        Parallel.setThreads(2);
        assertThatThrownBy(() -> Parallel.forEach(8, i -> {
            if (i == 5) throw new IllegalArgumentException("task 5 failed");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("task 5 failed");
        var counts = new AtomicIntegerArray(8);
        Parallel.forEach(8, counts::incrementAndGet);
        for (int i = 0; i < 8; i++) assertThat(counts.get(i)).isEqualTo(1);
    }
}
