package dev.recur.cli.gradflow;

import dev.recur.tensor.InvalidOptionException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.cli.CommonOptions;
import dev.recur.nn.CellType;
import dev.recur.nn.Direction;
import dev.recur.task.synthetic.AddingProblem;
import dev.recur.task.synthetic.SyntheticTaskConfig;
import dev.recur.train.GradientNorms;
import dev.recur.train.TrainerConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gradflow", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Plot how the gradient ‖∂L/∂h_t‖ reaches early time steps in RNN, LSTM and GRU on the adding problem.",
        footer = {"%nFor each cell: ‖∂L/∂h_t‖ of the test loss at every step t, at initialisation",
                "and after --steps training steps on the adding problem (Hochreiter and",
                "Schmidhuber 1997), drawn on a log axis into --out; the norms at t = 1, T/2",
                "and T on stdout; every parameter's gradient norm as JSON lines next to the plot.",
                "%nExamples:",
                "  recur gradflow",
                "  recur gradflow --cell rnn,lstm --length 200 --steps 500 --out flow.png"})
public final class GradflowCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    CommonOptions common;

    @Option(names = "--cell", split = ",", paramLabel = "CELL", defaultValue = "rnn,lstm,gru",
            description = "Cells to compare (default: ${DEFAULT-VALUE}).")
    List<String> cells;

    @Option(names = "--length", paramLabel = "T", defaultValue = "100", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "64", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "300",
            description = "Training steps before the second measurement; 0 = at initialisation only (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.01", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--out", paramLabel = "PNG", defaultValue = "gradflow.png", description = "The plot to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (steps < 0) throw new InvalidOptionException("--steps must be ≥ 0, got " + steps);
        var plot = new GradflowPlot(length);
        var rows = new ArrayList<String>();
        Path log = out.resolveSibling(out.getFileName().toString().replaceAll("\\.png$", "") + ".jsonl");
        try (BufferedWriter jsonl = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String name : cells) {
                CellType cell = cell(name);
                var config = new SyntheticTaskConfig(cell, hidden, length, batch, Math.max(batch, 256), common.seed);
                var task = new AddingProblem(config);
                rows.add(measure(task, cell, "init", plot, jsonl));
                if (steps > 0) {
                    if (!common.quiet) System.err.printf("training %s for %d steps on the adding problem, T=%d...%n", task.model(), steps, length);
                    task.train(TrainerConfig.steps(steps, lr).withClip(1.0), List.of());
                    rows.add(measure(task, cell, steps + " steps", plot, jsonl));
                }
            }
        }
        plot.write(out, String.format("Gradient flow on the adding problem, T=%d, hidden %d", length, hidden));
        var stdout = System.out;
        stdout.printf("‖∂L/∂h_t‖ of the test MSE (first test batch of %d), adding problem T=%d, hidden %d%n", batch, length, hidden);
        stdout.printf("%-5s %-10s %11s %11s %11s %11s %9s%n", "cell", "when", "t=1", "t=T/2", "t=T", "t=1 / t=T", "test MSE");
        rows.forEach(stdout::println);
        if (!common.quiet) System.err.printf("wrote %s and %s (per-parameter gradient norms)%n", out, log);
        return 0;
    }

    /** Records the flow and the parameter norms of the test loss, adds a line to the plot, returns a table row. */
    private String measure(AddingProblem task, CellType cell, String when, GradflowPlot plot, BufferedWriter jsonl) throws IOException {
        double[] norms = task.gradientFlow().norms(0, Direction.FORWARD);
        double mse = task.evaluate().metric();
        String label = cell.name().toLowerCase(Locale.ROOT);
        plot.add(cell, when, norms);
        ObjectNode line = JSON.createObjectNode().put("cell", label).put("when", when).put("test_mse", mse);
        var stateNorms = line.putArray("state_grad_norms");
        for (double n : norms) stateNorms.add(n);
        var parameters = line.putObject("param_grad_norms");
        GradientNorms.of(task.model()).forEach(parameters::put);
        jsonl.write(JSON.writeValueAsString(line));
        jsonl.newLine();
        double first = norms[0], middle = norms[length / 2 - 1], last = norms[length - 1];
        return String.format("%-5s %-10s %11.3e %11.3e %11.3e %11.3e %9.4f", label, when, first, middle, last, first / last, mse);
    }

    private static CellType cell(String name) {
        try {
            return CellType.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("--cell: expected rnn, lstm or gru; got \"" + name + "\"");
        }
    }
}
