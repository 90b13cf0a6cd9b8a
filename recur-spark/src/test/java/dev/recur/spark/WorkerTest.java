package dev.recur.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's side, without Spark: rebuilding the task from the command line, and what it reports when it cannot. */
class WorkerTest {
    @TempDir
    Path dir;

    private byte[] model() throws Exception {
        var lm = new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.LSTM, 4, 8, 1, 0f),
                Vocabulary.build(Tokenizer.CHAR.split("abcdefgh \n"), 0), new Rng(1));
        Path file = dir.resolve("start.safetensors");
        lm.save(file);
        return Files.readAllBytes(file);
    }

    @Test
    void aWorkerBuildsTheDriversModelFromTheCommandLine() throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "abc defg hab cdef gha bcd efgh ".repeat(200));
        var setup = new Worker.Setup("run-a", "lm", List.of("--data", text.toString(), "--batch", "4", "--bptt", "8"), model(), 1, null);
        Worker.Check check = Worker.check(setup, 1);
        assertThat(check.error()).isNull();
        assertThat(check.config()).contains("\"hidden\":8");
        assertThat(check.batchesPerEpoch()).isPositive();
        Worker.release("run-a");
    }

    @Test
    void aWorkerThatCannotReadItsDataSaysWhy() throws Exception {
        var setup = new Worker.Setup("run-b", "lm", List.of("--data", dir.resolve("nowhere.txt").toString()), model(), 1, null);
        Worker.Check check = Worker.check(setup, 0);
        assertThat(check.config()).isNull();
        assertThat(check.error()).contains("nowhere.txt");
        Worker.release("run-b");
    }
}
