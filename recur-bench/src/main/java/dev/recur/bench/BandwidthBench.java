package dev.recur.bench;

import dev.recur.kernel.Parallel;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code recur bench bandwidth}: how fast the machine reads a block of floats that stays in its caches, on Recur's
 * threads. Each thread sums its share of the block as vectors, over and over; GB/s = bytes read / time. A recurrent
 * step at batch 1 reads every weight once and does two flops per float, so this is its floor: infer-step's
 * 16 MB of weights cannot be read faster than 16 MB at this rate (BENCHMARKS.md).
 */
@Command(name = "bandwidth", mixinStandardHelpOptions = true,
        description = "Read bandwidth (GB/s) of summing a block of floats on 1..N threads: the floor of a batch-1 step.",
        footer = {"%nExample:",
                "  recur bench bandwidth --sizes 1,16,256 --threads 1,2     16 MB is infer-step's weights"})
final class BandwidthBench implements Callable<Integer> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Option(names = "--sizes", split = ",", paramLabel = "MB", defaultValue = "1,16,256",
            description = "Block sizes in MiB (default: ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--threads", split = ",", paramLabel = "N", defaultValue = "1,2",
            description = "Thread counts (default: ${DEFAULT-VALUE}).")
    int[] threads;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "7",
            description = "Timed repetitions of about 0.2 s each; median, min and max are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Override
    public Integer call() {
        if (repeat < 1) throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        System.out.printf("read bandwidth, %s, %s %s, %s%n", Machine.cpu(), System.getProperty("java.vm.name"),
                Runtime.version(), LocalDate.now());
        System.out.printf("%8s %8s %10s %10s %10s %12s%n", "MiB", "threads", "GB/s", "min", "max", "ms a pass");
        for (int mb : sizes) {
            if (mb < 1) throw new IllegalArgumentException("--sizes must be at least 1 MiB, got " + mb);
            float[] block = new float[mb << 18];
            for (int i = 0; i < block.length; i++) block[i] = i % 7;
            for (int t : threads) {
                Parallel.setThreads(t);
                double[] seconds = new double[repeat];
                int passes = Math.max(1, 6400 / mb);                       // about 0.2 s at 30 GB/s
                pass(block, t, passes);                                    // warm-up: compiled and cached
                pass(block, t, passes);
                for (int r = 0; r < repeat; r++) {
                    long t0 = System.nanoTime();
                    pass(block, t, passes);
                    seconds[r] = (System.nanoTime() - t0) / 1e9 / passes;
                }
                Arrays.sort(seconds);
                double bytes = 4.0 * block.length;
                System.out.printf("%8d %8d %10.1f %10.1f %10.1f %12.3f%n", mb, t, bytes / seconds[repeat / 2] / 1e9,
                        bytes / seconds[repeat - 1] / 1e9, bytes / seconds[0] / 1e9, seconds[repeat / 2] * 1e3);
            }
        }
        return 0;
    }

    /** {@code passes} times over the block, each of {@code tasks} threads summing its own contiguous share. */
    private static void pass(float[] block, int tasks, int passes) {
        int share = block.length / tasks / (4 * S.length()) * (4 * S.length());
        float[] sums = new float[tasks];
        Parallel.forEach(tasks, task -> {
            float s = 0;
            for (int p = 0; p < passes; p++) s += sum(block, task * share, (task + 1) * share);
            sums[task] = s;
        });
        for (float s : sums) if (!(s > 0)) throw new IllegalStateException("sum " + s);   // used, so not optimised away
    }

    private static float sum(float[] a, int from, int to) {
        int l = S.length();
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (int i = from; i < to; i += 4 * l) {
            s0 = s0.add(FloatVector.fromArray(S, a, i));
            s1 = s1.add(FloatVector.fromArray(S, a, i + l));
            s2 = s2.add(FloatVector.fromArray(S, a, i + 2 * l));
            s3 = s3.add(FloatVector.fromArray(S, a, i + 3 * l));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }
}
