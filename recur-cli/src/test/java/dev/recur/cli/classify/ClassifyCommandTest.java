package dev.recur.cli.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.CliRun;
import dev.recur.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifyCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void bundledDataIsOneLevelUp() {
        System.setProperty("recur.home", "..");
    }

    private static CliRun.Result run(String stdin, String... args) {
        return CliRun.run(stdin, args);
    }

    private String[] train(String out, String data, String... extra) {
        var args = new ArrayList<>(List.of("classify", "train", "--data", data, "--hidden", "16", "--embed", "16", "--steps", "60",
                "--eval-every", "30", "--quiet", "--threads", "1", "--out", dir.resolve(out).toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsOnTheBundledSentencesThenEvaluatesAndPredicts() throws Exception {
        var r = run("", train("s.safetensors", "sentiment", "--pooling", "attention"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("test: accuracy ");
        String model = dir.resolve("s.safetensors").toString();
        for (String suffix : new String[] {"", ".ckpt", ".metrics.jsonl", ".loss.png"}) assertThat(Path.of(model + suffix)).isNotEmptyFile();

        Path csv = Files.writeString(dir.resolve("few.csv"), "text,label\n\"I love it, \"\"really\"\"\",positive\nBroken on arrival,negative\nWorks,neutral\n");
        var eval = run("", "classify", "eval", "--model", model, "--data", csv.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("examples").asInt()).isEqualTo(3);
        assertThat(json.get("classes").has("neutral")).as("a label never seen in training is listed").isTrue();
        assertThat(json.get("classes").get("neutral").get("recall").asDouble()).isZero();
        assertThat(json.get("accuracy").asDouble()).isBetween(0.0, 2 / 3.0);
        assertThat(eval.err()).contains("1 of 3 examples have labels").contains("count as errors");

        var plain = run("", "classify", "eval", "--model", model, "--data", csv.toString(), "--plot", dir.resolve("c.png").toString());
        assertThat(plain.out()).contains("precision").contains("confusion (rows gold, columns predicted)");
        assertThat(dir.resolve("c.png")).isNotEmptyFile();

        var predict = run("Great little phone\nThe worst purchase ever\n", "classify", "predict", "--model", model, "--input", "-", "--attention");
        assertThat(predict.code()).as(predict.err()).isZero();
        var lines = predict.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        var first = new ObjectMapper().readTree(lines[0]);
        assertThat(first.get("label").asText()).isIn("positive", "negative");
        assertThat(first.get("probabilities").get("positive").asDouble() + first.get("probabilities").get("negative").asDouble()).isCloseTo(1.0,
                org.assertj.core.data.Offset.offset(1e-3));
        assertThat(first.get("attention")).hasSize(3);
    }

    @Test
    void crossValidatesOverFolds() {
        var r = run("", train("cv.safetensors", "sentiment", "--folds", "2", "--steps", "20", "--eval-every", "0"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fold 1: accuracy").contains("fold 2: accuracy").containsPattern("2-fold cross-validation: accuracy 0\\.\\d{4} ± 0\\.\\d{4}");
    }

    @Test
    void badInputGetsOneLineAndExitCodeTwoAndWritesNothing() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        var e = run("", train("x.safetensors", empty.toString()));
        assertThat(e.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(e.err()).startsWith("recur: ").contains("empty.csv").doesNotContain("\tat ");

        Path noLabel = Files.writeString(dir.resolve("rows.csv"), "text,label\nfine,positive\n\"two\nlines\",\nbad,negative\n");
        var l = run("", train("x.safetensors", noLabel.toString()));
        assertThat(l.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(l.err()).contains("rows.csv:3").contains("label");

        Path noColumn = Files.writeString(dir.resolve("cols.tsv"), "sentence\tlabel\nfine\tpositive\n");
        assertThat(run("", train("x.safetensors", noColumn.toString())).err()).contains("cols.tsv").contains("text").contains("sentence");
        assertThat(run("", train("x.safetensors", noColumn.toString(), "--text-column", "sentence")).err()).doesNotContain("sentence");

        assertThat(dir.resolve("x.safetensors")).doesNotExist();

        var r = run("", train("s.safetensors", "sentiment", "--steps", "2"));
        assertThat(r.code()).isZero();
        var wrong = run("The jury", "tag", "predict", "--model", dir.resolve("s.safetensors").toString(), "--input", "-");
        assertThat(wrong.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(wrong.err().strip()).isEqualTo("recur: " + dir.resolve("s.safetensors") + ": this is a text classifier, not a sequence tagger; use it with recur classify");
    }

    @Test
    void aFolderOfLabelFoldersIsADataSet() throws Exception {
        for (int i = 0; i < 30; i++) {
            Files.createDirectories(dir.resolve("mail/spam"));
            Files.createDirectories(dir.resolve("mail/ham"));
            Files.writeString(dir.resolve("mail/spam/" + i + ".txt"), "win money now click here offer " + i);
            Files.writeString(dir.resolve("mail/ham/" + i + ".txt"), "meeting notes for the project review " + i);
        }
        var r = run("", train("m.safetensors", dir.resolve("mail").toString(), "--steps", "30", "--quiet"));
        assertThat(r.code()).as(r.err()).isZero();
        var p = run("free money offer, click now\n", "classify", "predict", "--model", dir.resolve("m.safetensors").toString(), "--input", "-");
        assertThat(new ObjectMapper().readTree(p.out()).get("label").asText()).isEqualTo("spam");
    }
}
