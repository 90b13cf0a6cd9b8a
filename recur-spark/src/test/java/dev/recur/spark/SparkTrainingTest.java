package dev.recur.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.cli.CliRun;
import dev.recur.data.TextCorpus;
import dev.recur.io.ModelFile;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed training through {@code recur spark lm train}: in local-cluster mode (executors are separate JVMs) 50
 * synchronous steps on two workers give the weights of one process with the global batch, and a worker killed
 * mid-run is retried by Spark and changes nothing.
 */
class SparkTrainingTest {
    @TempDir
    static Path dir;
    static Path text;

    @BeforeAll
    static void corpus() throws IOException {
        text = dir.resolve("names.txt");
        Files.writeString(text, TextCorpus.read(Path.of("../data/names/train.txt.gz")));
    }

    private static List<String> lm(String... more) {
        var args = new ArrayList<>(List.of("--data", text.toString(), "--cell", "lstm", "--embed", "16", "--hidden", "48", "--layers", "2",
                "--dropout", "0", "--bptt", "24", "--batch", "8", "--steps", "50", "--eval-every", "0", "--checkpoint-every", "0",
                "--eval-tokens", "2000", "--sample-length", "0", "--quiet"));
        args.addAll(List.of(more));
        return args;
    }

    private static CliRun.Result recur(List<String> prefix, List<String> args) {
        var all = new ArrayList<>(prefix);
        all.addAll(args);
        return CliRun.run("", all.toArray(String[]::new));
    }

    @Test
    void syncOnTwoExecutorJvmsIsOneProcessWithTheGlobalBatchAndSurvivesAKilledWorker() throws IOException {
        Path one = dir.resolve("one.safetensors"), two = dir.resolve("two.safetensors"), killed = dir.resolve("killed.safetensors");
        var local = recur(List.of("lm", "train"), lm("--out", one.toString()));
        assertThat(local.code()).as(local.err()).isZero();

        var cluster = List.of("spark", "lm", "train", "--master", "local-cluster[2,1,1024]", "--workers", "2");
        var distributed = recur(cluster, lm("--out", two.toString()));
        assertThat(distributed.code()).as(distributed.err()).isZero();

        Map<String, Tensor> a = ModelFile.read(one).tensors(), b = ModelFile.read(two).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        double worst = 0;
        for (String name : a.keySet()) {
            double d = relativeDifference(b.get(name), a.get(name));
            worst = Math.max(worst, d);
            assertThat(d).as(name).isLessThanOrEqualTo(1e-5);
        }
        System.out.printf("50 sync steps on 2 executors against one process: largest relative difference %.3g%n", worst);

        System.setProperty("recur.spark.failAt", "10:1");
        try {
            var failed = recur(cluster, lm("--out", killed.toString()).stream().filter(arg -> !arg.equals("--quiet")).toList());
            assertThat(failed.code()).as(failed.err()).isZero();
            assertThat(failed.err()).contains("1 failed task rerun");
            System.out.println(failed.err());
        } finally {
            System.clearProperty("recur.spark.failAt");
        }
        Map<String, Tensor> c = ModelFile.read(killed).tensors();
        for (String name : b.keySet()) assertThat(c.get(name).toArray()).as(name).containsExactly(b.get(name).toArray());
    }

    /** ‖a − b‖ / ‖b‖ over a tensor. */
    static double relativeDifference(Tensor a, Tensor b) {
        float[] x = a.toArray(), y = b.toArray();
        double d = 0, n = 0;
        for (int i = 0; i < x.length; i++) {
            d += (x[i] - (double) y[i]) * (x[i] - (double) y[i]);
            n += (double) y[i] * y[i];
        }
        return Math.sqrt(d / Math.max(n, 1e-30));
    }
}
