package dev.recur.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.cli.CommonOptions;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Parallel;
import dev.recur.nn.CellType;
import dev.recur.task.synthetic.SyntheticTask;
import dev.recur.task.synthetic.SyntheticTaskConfig;
import dev.recur.train.TrainerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code recur bench tasks}: how far each cell gets on the long-memory tasks in a fixed budget. For every task,
 * cell and length it trains a fresh one-layer model (Adam, constant rate, gradient clipping) for the same number
 * of steps on the same stream of batches, then reports the test metric — MSE on the adding problem (a constant
 * predictor scores 0.167), recall accuracy on the copy task (chance is 0.125) — and the wall time, as a Markdown table.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The adding problem and the copy task for RNN, LSTM and GRU at growing lengths, in a fixed step budget.",
        footer = {"%nFor the copy task, --length is the delay T: sequences have T + 20 steps.",
                "%nExamples:",
                "  recur bench tasks --task adding --cell lstm --length 50 --steps 200",
                "  recur bench tasks --hidden 64 --batch 32 --steps 400 --json tasks.json"})
final class TasksBench implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--task", split = ",", paramLabel = "TASK", defaultValue = "adding,copy",
            description = "adding, copy or both (default: ${DEFAULT-VALUE}).")
    List<String> tasks;

    @Option(names = "--cell", split = ",", paramLabel = "CELL", defaultValue = "rnn,lstm,gru",
            description = "Cells to compare (default: ${DEFAULT-VALUE}).")
    List<String> cells;

    @Option(names = "--length", split = ",", paramLabel = "T", defaultValue = "50,100,200,400",
            description = "Sequence lengths (copy task: delays) (default: ${DEFAULT-VALUE}).")
    List<Integer> lengths;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "400", description = "Training steps per run (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "64", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.01", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--clip", paramLabel = "NORM", defaultValue = "1.0", description = "Gradient-norm clipping (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--test-size", paramLabel = "N", defaultValue = "512", description = "Test sequences (default: ${DEFAULT-VALUE}).")
    int testSize;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    /** One run: a row of the table. */
    record Result(String task, String cell, int length, long steps, String metric, double value, double baseline,
                  double testLoss, double seconds) {}

    @Override
    public Integer call() throws IOException {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        var results = new ArrayList<Result>();
        for (String name : tasks) {
            for (String cellName : cells) {
                CellType cell = cell(cellName);
                for (int length : lengths) {
                    var config = new SyntheticTaskConfig(cell, hidden, length, batch, testSize, common.seed);
                    SyntheticTask task = SyntheticTask.of(name.trim().toLowerCase(Locale.ROOT), config);
                    long start = System.nanoTime();
                    task.train(TrainerConfig.steps(steps, lr).withClip(clip), List.of());
                    SyntheticTask.Evaluation test = task.evaluate();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    var r = new Result(task.name(), cellName.toLowerCase(Locale.ROOT), length, steps, task.metricName(), test.metric(),
                            task.baseline(), test.loss(), seconds);
                    results.add(r);
                    if (!common.quiet) {
                        System.err.printf("%s %s T=%d: %s %.4f (baseline %.3f) in %.0f s%n", r.task(), r.cell(), length, r.metric(),
                                r.value(), r.baseline(), seconds);
                    }
                }
            }
        }
        print(results);
        if (json != null) writeJson(results);
        return 0;
    }

    private void print(List<Result> results) {
        var out = System.out;
        out.printf("recur bench tasks: hidden %d, batch %d, %d steps, Adam lr %s, clip %s, %d test sequences, seed %d%n",
                hidden, batch, steps, lr, clip, testSize, common.seed);
        out.printf("machine: %s, %d cores, %d thread(s); JDK: %s %s; kernels: %s; date: %s%n%n", Machine.cpu(),
                Runtime.getRuntime().availableProcessors(), Parallel.threads(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Kernels.get().name(), LocalDate.now());
        out.println("| task | cell | length | metric | value | baseline | test loss | seconds |");
        out.println("|---|---|---:|---|---:|---:|---:|---:|");
        for (Result r : results) {
            out.printf("| %s | %s | %d | %s | %.4f | %.3f | %.4f | %.0f |%n", r.task(), r.cell(), r.length(), r.metric(), r.value(),
                    r.baseline(), r.testLoss(), r.seconds());
        }
    }

    private void writeJson(List<Result> results) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "tasks");
        doc.put("date", LocalDate.now().toString());
        doc.put("cpu", Machine.cpu());
        doc.put("threads", Parallel.threads());
        doc.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        doc.put("hidden", hidden);
        doc.put("batch", batch);
        doc.put("lr", lr);
        doc.put("clip", clip);
        doc.put("seed", common.seed);
        doc.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        System.err.println("wrote " + json);
    }

    private static CellType cell(String name) {
        try {
            return CellType.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cell: expected rnn, lstm or gru; got \"" + name + "\"");
        }
    }
}
