package dev.recur.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.cli.CommonOptions;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code recur bench rb1}: the recurrent-network suite of issue 6, run the same way by recur-bench/pytorch/rb1.py.
 * For each case and mode, iterations run for {@code --warmup} seconds (at least two), then {@code --repeat} timed
 * repetitions, each as many iterations as last {@code --min-time} (at least one); a repetition's time is per
 * iteration. Reported: the median, min and max, sequences/s, tokens/s, GFLOP/s (forward FLOPs, 3× for a training
 * step), µs per step for infer-step, and the peak RSS (VmHWM, reset before each case where Linux allows, so the
 * figure is the case's own; compare.sh also runs every case in a process of its own).
 */
@Command(name = "rb1", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Recurrent networks, forward and training, on the cases of issue 6 (compare with rb1.py).",
        footer = {"%nCases: lstm-small, lstm-medium, gru-medium, rnn-medium, lstm-large, bilstm, infer-step, infer-step-gru, charlm.",
                "%nExamples:",
                "  recur bench rb1 --threads 2 --json rb1.json",
                "  recur bench rb1 --case lstm-medium --mode train --repeat 7"})
final class Rb1Bench implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--case", split = ",", paramLabel = "NAME", description = "Cases to run (default: all).")
    List<String> cases;

    @Option(names = "--mode", split = ",", paramLabel = "MODE", defaultValue = "forward,train",
            description = "forward, train or both (default: ${DEFAULT-VALUE}); the infer-step cases have no training step.")
    List<String> modes;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "5",
            description = "Timed repetitions per case and mode (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "3",
            description = "Warm-up per case and mode, at least two iterations (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--min-time", paramLabel = "SECONDS", defaultValue = "0.3",
            description = "Shortest repetition; short iterations are repeated within it (default: ${DEFAULT-VALUE}).")
    double minTime;

    @Option(names = "--dtype", paramLabel = "fp32|bf16|int8", defaultValue = "fp32",
            description = "Weights as stored: fp32, or bf16 or int8 as recur quantize stores them (forward rows only) (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write one record per case and mode as a JSON array.")
    Path json;

    @Override
    public Integer call() throws IOException {
        if (repeat < 1) throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        if (!(warmup >= 0) || !(minTime >= 0)) throw new IllegalArgumentException("--warmup and --min-time must be 0 or more seconds");
        if (!List.of("fp32", "bf16", "int8").contains(dtype)) throw new dev.recur.tensor.InvalidOptionException("--dtype must be fp32, bf16 or int8, got \"" + dtype + "\"");
        for (String m : modes) {
            if (!m.equals("forward") && !m.equals("train")) throw new IllegalArgumentException("--mode: expected forward or train; got \"" + m + "\"");
        }
        List<Rb1Case> chosen = cases == null ? Rb1Case.ALL : cases.stream().map(String::trim).map(Rb1Case::named).toList();
        var records = new ArrayList<Map<String, Object>>();
        for (Rb1Case c : chosen) {
            for (String mode : modes) {
                if (mode.equals("train") && (!c.trains() || !dtype.equals("fp32"))) continue;
                var r = measure(c, mode);
                r.put("dtype", dtype);
                records.add(r);
                if (!common.quiet) System.err.printf("%s %s: %.3f ms%n", c.name(), mode, (double) r.get("ms_median"));
            }
        }
        print(records);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), records);
            System.err.println("wrote " + json);
        }
        return 0;
    }

    private Map<String, Object> measure(Rb1Case c, String mode) {
        System.gc();
        PeakMemory.reset();
        Rb1Workload w = Rb1Workload.of(c, common.seed, dtype.equals("fp32") ? null : dev.recur.tensor.QuantizedWeights.Type.of(dtype));
        Runnable iteration = mode.equals("train") ? w::train : w::forward;
        // Warm-up, which also tells how many iterations fill one repetition.
        long start = System.nanoTime(), last = 0;
        int done = 0;
        while (done < 2 || System.nanoTime() - start < warmup * 1e9) {
            long t0 = System.nanoTime();
            iteration.run();
            last = System.nanoTime() - t0;
            done++;
        }
        long perRepetition = Math.max(1, (long) Math.ceil(minTime * 1e9 / Math.max(1, last)));
        double[] ms = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < perRepetition; i++) iteration.run();
            ms[r] = (System.nanoTime() - t0) / 1e6 / perRepetition;
        }
        Arrays.sort(ms);
        return record(c, mode, ms[repeat / 2], ms[0], ms[repeat - 1], PeakMemory.megabytes());
    }

    /** One JSON record in the format of issue 6. */
    private static Map<String, Object> record(Rb1Case c, String mode, double median, double min, double max, double rss) {
        double seconds = median / 1e3;
        double flops = c.forwardFlops() * (mode.equals("train") ? 3 : 1);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("case", c.name());
        r.put("mode", mode);
        r.put("threads", Parallel.threads());
        r.put("ms_median", median);
        r.put("ms_min", min);
        r.put("ms_max", max);
        r.put("seq_per_s", c.batch() / seconds);
        r.put("tokens_per_s", (double) c.batch() * c.steps() / seconds);
        r.put("gflops", flops / seconds / 1e9);
        if (c.kind() == Rb1Case.Kind.STEP) r.put("us_per_step", median * 1e3);
        r.put("peak_rss_mb", rss);
        return r;
    }

    private static void print(List<Map<String, Object>> records) {
        var out = System.out;
        out.printf("rb1: median (min–max) of the repetitions; GFLOP/s counts the recurrent layers, 3× forward for training%n");
        out.printf("machine: %s, %d cores, %d thread(s); JDK: %s %s; kernels: %s; date: %s%n%n", Machine.cpu(),
                Runtime.getRuntime().availableProcessors(), Parallel.threads(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Kernels.get().name(), LocalDate.now());
        out.println("| case | mode | threads | ms | min | max | seq/s | tokens/s | GFLOP/s | µs/step | peak RSS MB |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var r : records) {
            Object us = r.get("us_per_step");
            out.printf("| %s | %s | %d | %.3f | %.3f | %.3f | %.1f | %.0f | %.2f | %s | %.0f |%n", r.get("case"), r.get("mode"),
                    r.get("threads"), r.get("ms_median"), r.get("ms_min"), r.get("ms_max"), r.get("seq_per_s"),
                    r.get("tokens_per_s"), r.get("gflops"), us == null ? "" : String.format("%.1f", (double) us), r.get("peak_rss_mb"));
        }
    }

    /** The process's peak resident set (VmHWM), which Linux resets to the current RSS on writing 5 to clear_refs. */
    static final class PeakMemory {
        private PeakMemory() {}

        static void reset() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            } catch (IOException | RuntimeException e) {
                // Not Linux, or not allowed: the peak is then the process's, from its start.
            }
        }

        static double megabytes() {
            try (var lines = Files.lines(Path.of("/proc/self/status"))) {
                return lines.filter(l -> l.startsWith("VmHWM:")).mapToDouble(l -> Double.parseDouble(l.replaceAll("[^0-9]", "")) / 1024)
                        .findFirst().orElse(Double.NaN);
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            }
        }
    }
}
