package dev.recur.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.kernel.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code recur bench gemm}: GFLOP/s (2·M·N·K / time) of C = A·B, A [M, K], B [K, N], for the chosen kernels
 * against the scalar reference. Each shape and thread count is warmed up ({@code --warmup}, 2 s: the Vector API is
 * slow until C2 has compiled the loops; the scalar reference runs once), then timed
 * {@code --repeat} times; a time is the mean over enough calls to last at least 20 ms.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "GFLOP/s of the matrix product C = A·B (A [M, K], B [K, N]): vector kernels against scalar.",
        footer = {"%nExample:",
                "  recur bench gemm --threads 1,2 --shapes 1024x1024x1024,1x512x2048 --repeat 7 --json gemm.json",
                "  recur bench gemm --no-scalar                 every default shape, vector kernels only"})
final class GemmBench implements Callable<Integer> {
    private static final long SAMPLE_NANOS = 20_000_000L;

    @Option(names = "--threads", split = ",", paramLabel = "N", defaultValue = "1,2",
            description = "Thread counts to measure (default: ${DEFAULT-VALUE}).")
    int[] threads;

    @Option(names = "--shapes", split = ",", paramLabel = "MxKxN",
            defaultValue = "512x512x512,1024x1024x1024,64x512x2048,64x1024x4096,6400x256x2048,1x512x2048",
            description = "Shapes M×K×N (default: ${DEFAULT-VALUE}).")
    String[] shapes;

    @Option(names = "--sizes", split = ",", paramLabel = "N",
            description = "Square shapes N×N×N instead of --shapes, e.g. 512,1024.")
    int[] sizes;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "7",
            description = "Timed repetitions per shape; median, min and max are reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
            description = "Warm-up per shape and thread count; the Vector API is slow until C2 has compiled it "
                    + "(default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--no-scalar", description = "Skip the scalar reference (slow: seconds per large product).")
    boolean noScalar;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    /** One measured row of the table. */
    record Result(String shape, int m, int k, int n, int threads, String kernels, double median, double min, double max) {}

    @Override
    public Integer call() throws IOException {
        if (repeat < 1) throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        var results = new ArrayList<Result>();
        var vector = Kernels.get();
        if (sizes != null) shapes = Arrays.stream(sizes).mapToObj(n -> n + "x" + n + "x" + n).toArray(String[]::new);
        for (String shape : shapes) {
            int[] mkn = parse(shape);
            var rng = new SplittableRandom(1);
            Mat a = random(rng, mkn[0], mkn[1]), b = random(rng, mkn[1], mkn[2]), c = random(rng, mkn[0], mkn[2]);
            for (int t : threads) {
                Parallel.setThreads(t);
                results.add(measure(shape, mkn, t, vector, a, b, c, repeat, warmupNanos()));
                if (!noScalar && vector != Kernels.scalar()) {
                    // The scalar product takes seconds at the larger shapes: fewer repetitions.
                    results.add(measure(shape, mkn, t, Kernels.scalar(), a, b, c, Math.min(repeat, 3), 0));
                }
            }
        }
        print(results, vector);
        if (json != null) writeJson(results, vector);
        return 0;
    }

    private static Result measure(String shape, int[] mkn, int threads, Kernels kernels, Mat a, Mat b, Mat c, int repeat,
            long warmupNanos) {
        double flops = 2.0 * mkn[0] * mkn[1] * mkn[2];
        // Warm-up, which also finds how many calls make one sample last SAMPLE_NANOS.
        long start = System.nanoTime(), calls = 0, elapsed;
        do {
            kernels.gemm(1f, a, b, 0f, c);
            calls++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < warmupNanos);
        long perSample = Math.max(1, SAMPLE_NANOS * calls / Math.max(1, elapsed));
        double[] gflops = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < perSample; i++) kernels.gemm(1f, a, b, 0f, c);
            gflops[r] = flops * perSample / (System.nanoTime() - t0);
        }
        Arrays.sort(gflops);
        String name = kernels == Kernels.scalar() ? "scalar" : "vector";
        return new Result(shape, mkn[0], mkn[1], mkn[2], threads, name, gflops[repeat / 2], gflops[0], gflops[repeat - 1]);
    }

    private static void print(List<Result> results, Kernels vector) {
        var out = System.out;
        out.printf("gemm C = A·B, GFLOP/s = 2·M·N·K / time; median (min–max) of the repetitions%n");
        out.printf("machine: %s, %d cores; JDK: %s %s; kernels: %s; date: %s%n%n", Machine.cpu(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), vector.name(), LocalDate.now());
        out.println("| M×K×N | threads | kernels | GFLOP/s | min | max | vector / scalar |");
        out.println("|---|---:|---|---:|---:|---:|---:|");
        for (Result r : results) {
            String ratio = "";
            if (r.kernels().equals("vector")) {
                ratio = results.stream()
                        .filter(s -> s.kernels().equals("scalar") && s.shape().equals(r.shape()) && s.threads() == r.threads())
                        .findFirst().map(s -> String.format("%.1f×", r.median() / s.median())).orElse("");
            }
            out.printf("| %s | %d | %s | %.1f | %.1f | %.1f | %s |%n", r.shape(), r.threads(), r.kernels(), r.median(),
                    r.min(), r.max(), ratio);
        }
    }

    private long warmupNanos() {
        if (!(warmup >= 0)) throw new IllegalArgumentException("--warmup must be 0 or more seconds, got " + warmup);
        return (long) (warmup * 1e9);
    }

    private void writeJson(List<Result> results, Kernels vector) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "gemm");
        doc.put("date", LocalDate.now().toString());
        doc.put("cpu", Machine.cpu());
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        doc.put("kernels", vector.name());
        doc.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        System.err.println("wrote " + json);
    }

    private static int[] parse(String shape) {
        String[] parts = shape.toLowerCase().split("[x×]");
        try {
            if (parts.length == 3) {
                int[] mkn = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
                if (mkn[0] > 0 && mkn[1] > 0 && mkn[2] > 0) return mkn;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--shapes: expected MxKxN with positive sizes, e.g. 64x512x2048; got \"" + shape + "\"");
    }

    private static Mat random(SplittableRandom rng, int rows, int cols) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) data[i] = (float) rng.nextDouble(-1, 1);
        return Mat.of(data, rows, cols);
    }
}
