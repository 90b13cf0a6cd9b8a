package dev.recur.train;

import dev.recur.io.ModelFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How every task trains, once: a task's command parses its options, builds its model and {@link TrainingTask}, and
 * hands over. The recipe builds the optimizer and schedule from the {@link TrainingPlan}, resumes from a checkpoint
 * when asked, trains with the metrics log and the caller's listeners (progress, plots, samples), writes the model
 * file (the best validated weights) and scores the test split.
 * <pre>
 * var files = RunFiles.of(Path.of("sotu.safetensors"), "sotu.safetensors").prepare();
 * var outcome = TrainingRecipe.run(task, TrainingPlan.defaults(), files, null, List.of());
 * outcome.test().ifPresent(m -> System.out.println("test " + m));
 * </pre>
 */
public final class TrainingRecipe {
    private TrainingRecipe() {}

    /** What a run did: the trainer's result, the test metrics when the task has a test split, and its files. */
    public record Outcome(Trainer.Result result, Optional<Metrics> test, RunFiles files) {}

    /**
     * Trains {@code task} as {@code plan} says, continuing from {@code resume} when it is not null; writes
     * {@link RunFiles#checkpoint()}, appends to {@link RunFiles#metrics()} and writes {@link RunFiles#model()}.
     */
    public static Outcome run(TrainingTask task, TrainingPlan plan, RunFiles files, Path resume, List<TrainingListener> listeners)
            throws IOException {
        var optimizer = plan.optimizer().create(task.model().parameters(), plan.lr());
        Trainer.Result result;
        try (var metrics = new MetricsLog(files.metrics())) {
            var all = new ArrayList<TrainingListener>(listeners);
            all.add(metrics);
            var trainer = new Trainer(task, optimizer, plan.newSchedule(), plan.trainerConfig(files.checkpoint()), all);
            if (resume != null) trainer.resume(resume);
            result = trainer.run();
        }
        ModelFile.write(files.model(), task.modelConfig(), task.model().stateDict());
        return new Outcome(result, task.test(), files);
    }
}
