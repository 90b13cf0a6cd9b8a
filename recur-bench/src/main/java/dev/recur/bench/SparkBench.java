package dev.recur.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.cli.Recur;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Parallel;
import dev.recur.spark.SparkTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code recur bench spark}: a language model trained by {@code recur lm train} alone and by {@code recur spark lm
 * train} on Spark masters of this machine, with the same global batch: tokens per second after a warm-up, and for
 * the distributed runs the time per step, the slowest worker's computation in it, and the rest (broadcast, task
 * launch, gradients back, their sum), as a share.
 */
@Command(name = "spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Data-parallel training on Spark against one process: tokens/s and the share of each step spent exchanging.",
        footer = {"%nEach run is --warmup + --steps steps of the same model and global batch; the rate counts the last --steps.",
                "%nExamples:",
                "  recur bench spark",
                "  recur bench spark --hidden 128 --steps 20 --runs 'local;local-cluster[2,1,2048]/2'"})
final class SparkBench implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "CORPUS|FILE", defaultValue = "moby-dick", description = "Training text (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--embed", paramLabel = "N", defaultValue = "256", description = "Embedding size (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "512", description = "Hidden units per layer (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "2", description = "LSTM layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Global batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--bptt", paramLabel = "T", defaultValue = "100", description = "Steps per chunk (default: ${DEFAULT-VALUE}).")
    int bptt;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Steps before the clock starts (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "30", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--runs", split = ";", paramLabel = "RUN",
            defaultValue = "local;local[2]/2;local-cluster[1,2,3072]/1;local-cluster[2,1,2048]/2;local-cluster[2,1,2048]/2/tree",
            description = "Runs separated by ';': local (recur lm train), or MASTER/WORKERS[/tree] for recur spark lm train (default: ${DEFAULT-VALUE}).")
    List<String> runs;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    /** One run: a row of the table; exchange figures are NaN for the local run. */
    record Result(String run, int workers, String reduce, double tokensPerSecond, double speedup, double stepMillis,
                  double computeMillis, double exchangeShare) {}

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("recur-bench-spark");
        var results = new ArrayList<Result>();
        double base = Double.NaN;
        for (String run : runs) {
            Result r = run(run, dir);
            if (Double.isNaN(base)) base = r.tokensPerSecond();
            r = new Result(r.run(), r.workers(), r.reduce(), r.tokensPerSecond(), r.tokensPerSecond() / base, r.stepMillis(), r.computeMillis(),
                    r.exchangeShare());
            results.add(r);
            System.err.printf("%s: %,.0f tokens/s%n", run, r.tokensPerSecond());
        }
        print(results);
        if (json != null) writeJson(results);
        return 0;
    }

    private Result run(String run, Path dir) throws IOException {
        String[] parts = run.split("/");
        Path out = dir.resolve("run" + System.nanoTime() + ".safetensors");
        var args = new ArrayList<String>();
        boolean local = parts[0].equals("local") && parts.length == 1;
        int workers = local ? 1 : Integer.parseInt(parts[1]);
        String reduce = parts.length > 2 ? parts[2] : "driver";
        if (!local) args.addAll(List.of("spark"));
        args.addAll(List.of("lm", "train", "--data", data, "--embed", String.valueOf(embed), "--hidden", String.valueOf(hidden), "--layers",
                String.valueOf(layers), "--dropout", "0", "--batch", String.valueOf(batch), "--bptt", String.valueOf(bptt),
                "--steps", String.valueOf(warmup + steps), "--eval-every", "0", "--checkpoint-every", "0", "--eval-tokens", "1000",
                "--sample-length", "0", "--quiet", "--out", out.toString()));
        if (!local) args.addAll(List.of("--master", parts[0], "--workers", String.valueOf(workers), "--reduce", reduce));
        int code = Recur.run(args.toArray(String[]::new));
        if (code != 0) throw new IllegalStateException("recur " + String.join(" ", args) + " exited with " + code);
        double seconds = elapsed(Path.of(out + ".metrics.jsonl"));
        double tokens = (double) steps * batch * bptt;
        double step = Double.NaN, compute = Double.NaN, share = Double.NaN;
        if (!local) {
            var exchange = SparkTraining.lastExchange();
            double[] mean = exchange.meanMillis(warmup, exchange.steps());
            step = mean[0];
            compute = mean[1];
            share = 1 - compute / step;
        }
        return new Result(run, workers, local ? "" : reduce, tokens / seconds, Double.NaN, step, compute, share);
    }

    /** Seconds between the end of the warm-up and the last step, from the run's metrics log. */
    private double elapsed(Path metrics) throws IOException {
        var json = new ObjectMapper();
        double start = Double.NaN, end = Double.NaN;
        for (String line : Files.readAllLines(metrics)) {
            JsonNode node = json.readTree(line);
            if (!node.has("seconds")) continue;
            long step = node.get("step").asLong();
            if (step == warmup) start = node.get("seconds").asDouble();
            if (step == warmup + steps) end = node.get("seconds").asDouble();
        }
        return end - start;
    }

    private void print(List<Result> results) {
        var out = System.out;
        out.printf("recur bench spark: LSTM language model on %s, embed %d, %d × %d, global batch %d × %d steps, %d warm-up + %d timed steps%n",
                data, embed, layers, hidden, batch, bptt, warmup, steps);
        out.printf("machine: %s, %d cores; JDK: %s %s; kernels: %s; date: %s%n%n", Machine.cpu(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Kernels.get().name(), LocalDate.now());
        out.println("| run | workers | reduce | tokens/s | speed-up | step ms | slowest worker ms | exchange and scheduling |");
        out.println("|---|---:|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            out.printf("| %s | %d | %s | %,.0f | %.2f | %s | %s | %s |%n", r.run().split("/")[0], r.workers(), r.reduce(), r.tokensPerSecond(), r.speedup(),
                    Double.isNaN(r.stepMillis()) ? "" : String.format("%.0f", r.stepMillis()),
                    Double.isNaN(r.computeMillis()) ? "" : String.format("%.0f", r.computeMillis()),
                    Double.isNaN(r.exchangeShare()) ? "" : String.format("%.0f%%", 100 * r.exchangeShare()));
        }
    }

    private void writeJson(List<Result> results) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "spark");
        doc.put("date", LocalDate.now().toString());
        doc.put("cpu", Machine.cpu());
        doc.put("threads", Parallel.threads());
        doc.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        doc.put("data", data);
        doc.put("model", Map.of("embed", embed, "hidden", hidden, "layers", layers));
        doc.put("batch", batch);
        doc.put("bptt", bptt);
        doc.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        System.err.println("wrote " + json);
    }
}
