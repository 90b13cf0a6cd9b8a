package dev.recur.cli.lm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.ExitCodes;
import dev.recur.cli.Recur;
import dev.recur.data.Tokenizer;
import dev.recur.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void bundledDataIsOneLevelUp() {
        System.setProperty("recur.home", "..");
    }

    private record Result(int code, String out, String err) {}

    /** Runs recur in process, capturing System.out (where results go) and the error stream. */
    private static Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var stderr = new ByteArrayOutputStream();
        var err = new StringWriter();
        PrintStream saved = System.out, savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            var cl = Recur.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err + stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
            System.setErr(savedErr);
        }
    }

    private String[] train(String out, String... extra) {
        var args = new ArrayList<>(List.of("lm", "train", "--data", "names", "--hidden", "16", "--embed", "8", "--layers", "2",
                "--dropout", "0.2", "--batch", "8", "--bptt", "16", "--eval-every", "5", "--eval-tokens", "400",
                "--sample-length", "0", "--quiet", "--threads", "1", "--out", dir.resolve(out).toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void resumingGivesTheTensorsOfOneUninterruptedRun() throws Exception {
        // Plateau: its state is in the checkpoint; a cosine schedule would follow the first run's shorter budget.
        assertThat(run(train("a.safetensors", "--steps", "24", "--schedule", "plateau")).code()).isZero();
        assertThat(run(train("b.safetensors", "--steps", "12", "--schedule", "plateau")).code()).isZero();
        Path ckpt = dir.resolve("b.safetensors.ckpt");
        assertThat(run(train("b.safetensors", "--steps", "24", "--schedule", "plateau", "--resume", ckpt.toString())).code()).isZero();

        var a = SafeTensors.read(dir.resolve("a.safetensors")).tensors();
        var b = SafeTensors.read(dir.resolve("b.safetensors")).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, t) -> assertThat(b.get(name).toArray()).as(name).containsExactly(t.toArray()));
        assertThat(Files.readAllLines(dir.resolve("b.safetensors.metrics.jsonl"))).anyMatch(l -> l.startsWith("{\"step\":24,"));
        var fromCheckpoint = run("lm", "generate", "--model", ckpt.toString(), "--length", "12", "--seed", "2");
        assertThat(fromCheckpoint.code()).as(fromCheckpoint.err()).isZero();
        assertThat(fromCheckpoint.out().strip()).isNotEmpty();
    }

    @Test
    void theOutputFolderIsCreated() {
        assertThat(run(train("runs/names/m.safetensors", "--steps", "2")).code()).isZero();
        assertThat(dir.resolve("runs/names/m.safetensors")).isNotEmptyFile();
        assertThat(dir.resolve("runs/names/m.safetensors.metrics.jsonl")).isNotEmptyFile();
    }

    @Test
    void trainedModelEvaluatesAsJsonAndGenerates() throws Exception {
        assertThat(run(train("m.safetensors", "--steps", "10")).code()).isZero();
        String model = dir.resolve("m.safetensors").toString();
        assertThat(dir.resolve("m.safetensors.loss.png")).isNotEmptyFile();

        var eval = run("lm", "eval", "--model", model, "--data", "names", "--json");
        assertThat(eval.code()).isZero();
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("tokens").asLong()).isGreaterThan(1000);
        assertThat(json.get("bits_per_char").asDouble()).isCloseTo(json.get("nats_per_token").asDouble() / Math.log(2),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(json.get("perplexity").asDouble()).isCloseTo(Math.exp(json.get("nats_per_token").asDouble()),
                org.assertj.core.data.Offset.offset(1e-6));

        var gen = run("lm", "generate", "--model", model, "--prompt", "Ann", "--length", "30", "--seed", "4");
        assertThat(gen.code()).isZero();
        assertThat(gen.out()).startsWith("Ann").hasSizeGreaterThan(30);
        // The default temperature is 1, the model's own distribution: the same text as --temperature 1, not as 0.8.
        var atDefault = run("lm", "generate", "--model", model, "--length", "200", "--seed", "6");
        assertThat(atDefault.out()).isEqualTo(run("lm", "generate", "--model", model, "--length", "200", "--seed", "6",
                "--temperature", "1").out());
        assertThat(atDefault.out()).isNotEqualTo(run("lm", "generate", "--model", model, "--length", "200", "--seed", "6",
                "--temperature", "0.8").out());
        var names = run("lm", "generate", "--model", model, "--lines", "7", "--seed", "5");
        assertThat(names.code()).isZero();
        assertThat(names.out().split("\n", -1)).as(names.out()).hasSize(8);   // 7 lines, each ended by a line break
        var unseen = run("lm", "generate", "--model", model, "--prompt", "Ann€", "--length", "5");
        assertThat(unseen.code()).isZero();
        assertThat(unseen.err()).contains("never seen").contains("€");
    }

    @Test
    void dynamicEvaluationAdaptsWhileScoringAndSaysSo() throws Exception {
        assertThat(run(train("d.safetensors", "--steps", "10")).code()).isZero();
        String model = dir.resolve("d.safetensors").toString();
        byte[] saved = Files.readAllBytes(dir.resolve("d.safetensors"));
        var mapper = new ObjectMapper();
        var fixed = mapper.readTree(run("lm", "eval", "--model", model, "--data", "names", "--json", "--bptt", "32").out());
        assertThat(fixed.has("dynamic_lr")).isFalse();
        var dynamic = run("lm", "eval", "--model", model, "--data", "names", "--json", "--dynamic", "--threads", "1");
        assertThat(dynamic.code()).as(dynamic.err()).isZero();
        var json = mapper.readTree(dynamic.out());
        assertThat(json.get("tokens").asLong()).isEqualTo(fixed.get("tokens").asLong());
        assertThat(json.get("dynamic_lr").asDouble()).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-9));
        // Ten steps leave the model far from what the names can teach it, so reading them teaches it more.
        assertThat(json.get("nats_per_token").asDouble()).isLessThan(fixed.get("nats_per_token").asDouble());
        var frozen = mapper.readTree(run("lm", "eval", "--model", model, "--data", "names", "--json", "--dynamic", "--dynamic-lr", "0").out());
        assertThat(frozen.get("nats_per_token").asDouble()).isCloseTo(fixed.get("nats_per_token").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(Files.readAllBytes(dir.resolve("d.safetensors"))).as("the model file is unchanged").isEqualTo(saved);

        var badDecay = run("lm", "eval", "--model", model, "--data", "names", "--dynamic", "--dynamic-decay", "2");
        assertThat(badDecay.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badDecay.err()).contains("--dynamic-decay must be in [0, 1]").doesNotContain("Exception");
        var overflow = run("lm", "eval", "--model", model, "--data", "names", "--dynamic", "--dynamic-lr", "3e38");
        assertThat(overflow.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(overflow.err()).contains("dynamic evaluation diverged").contains("lower --dynamic-lr").doesNotContain("Exception");
    }

    @Test
    void eachValidationIsReportedWithASample() throws Exception {
        var args = new ArrayList<>(List.of(train("n.safetensors", "--steps", "10")));
        args.remove("--quiet");
        var r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("step 5: validation \\d+\\.\\d{3} bits per character \\(best\\) \\| \\S")
                .containsPattern("step 10: validation \\d+\\.\\d{3} bits per character");
    }

    @Test
    void wordModelsReportPerplexityNotBitsPerCharacter() throws Exception {
        Path text = Files.writeString(dir.resolve("speech.txt"),
                "We the people, in order to form a more perfect union, establish justice. ".repeat(40));
        var args = new ArrayList<>(List.of("lm", "train", "--data", text.toString(), "--tokens", "word", "--vocab-size", "20",
                "--hidden", "8", "--embed", "4", "--layers", "1", "--batch", "4", "--bptt", "8", "--steps", "20", "--lr", "0.02",
                "--sample-length", "30", "--quiet", "--out", dir.resolve("w.safetensors").toString()));
        var train = run(args.toArray(String[]::new));
        assertThat(train.code()).isZero();
        // the sample's words are spaced: split again, every one is a word of the vocabulary, none run together
        String sample = train.out().substring(train.out().indexOf("--- sample ---") + 14).strip();
        assertThat(Tokenizer.WORD.split(sample)).as(sample).hasSizeGreaterThanOrEqualTo(20)
                .allMatch(w -> "We the people , in order to form a more perfect union establish justice . \n".contains(w));
        var eval = run("lm", "eval", "--model", dir.resolve("w.safetensors").toString(), "--data", text.toString(), "--json");
        assertThat(eval.code()).isZero();
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.has("bits_per_char")).isFalse();
        assertThat(json.get("perplexity").asDouble()).isGreaterThan(1).isLessThan(16);   // below a uniform guess over 15 tokens and <unk>
        var gen = run("lm", "generate", "--model", dir.resolve("w.safetensors").toString(), "--prompt", "We the", "--length", "5");
        assertThat(gen.out()).startsWith("We the ");
        assertThat(Tokenizer.WORD.split(gen.out().strip())).as(gen.out()).hasSize(2 + 5);  // the prompt and 5 tokens, spaced
    }

    @Test
    void aWindows1252FileTrainsWithEncodingAndIsRefusedWithAHintWithout() throws Exception {
        String menu = "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, d\u00e9j\u00e0 vu \u2013 \u20ac5.\n".repeat(30);
        Path text = Files.write(dir.resolve("menu.txt"), menu.getBytes("windows-1252"));
        Path utf8 = Files.writeString(dir.resolve("menu-utf8.txt"), menu);
        var refused = run("lm", "train", "--data", text.toString(), "--steps", "1", "--quiet");
        assertThat(refused.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err()).contains("menu.txt").contains("not UTF-8").contains("--encoding windows-1252").doesNotContain("\tat ");

        var unknown = run("lm", "train", "--data", text.toString(), "--encoding", "klingon", "--steps", "1", "--quiet");
        assertThat(unknown.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(unknown.err()).contains("unknown encoding \"klingon\"");

        var args = new ArrayList<>(List.of(train("menu.safetensors", "--steps", "2")));
        args.set(args.indexOf("names"), text.toString());
        args.addAll(List.of("--encoding", "windows-1252"));
        assertThat(run(args.toArray(String[]::new)).code()).isZero();
        var eval = run("lm", "eval", "--model", dir.resolve("menu.safetensors").toString(), "--data", text.toString(),
                "--encoding", "cp1252", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        var same = run("lm", "eval", "--model", dir.resolve("menu.safetensors").toString(), "--data", utf8.toString(), "--json");
        assertThat(eval.out()).isEqualTo(same.out());   // read as the same characters as its UTF-8 copy
        assertThat(eval.err()).doesNotContain("warning");
    }

    @Test
    void divergingTrainingExitsWithThreeAndKeepsTheLastCheckpointLoadable() throws Exception {
        var r = run(train("d.safetensors", "--steps", "200", "--lr", "1e37", "--clip", "0", "--checkpoint-every", "1"));
        assertThat(r.code()).isEqualTo(ExitCodes.DIVERGED);
        assertThat(r.err()).startsWith("recur: step ").contains("at learning rate").contains("clip 1.0").contains("lower learning rate (lr")
                .doesNotContain("\tat ");
        var checkpoint = SafeTensors.read(dir.resolve("d.safetensors.ckpt"));
        checkpoint.tensors().forEach((name, t) -> assertThat(t.firstNonFinite()).as(name).isEqualTo(-1));
        var inspect = run("inspect", dir.resolve("d.safetensors.ckpt").toString());
        assertThat(inspect.code()).isZero();
        assertThat(inspect.out()).contains("checkpoint: ").contains("--resume");
    }

    @Test
    void badInputGetsOneLineAndExitCodeTwo() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        var r = run("lm", "train", "--data", empty.toString(), "--steps", "1");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("recur: ").contains("empty.txt").contains("empty").doesNotContain("\tat ");

        var dropout = run("lm", "train", "--data", "names", "--dropout", "lots", "--steps", "1", "--quiet", "--out",
                dir.resolve("x.safetensors").toString());
        assertThat(dropout.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(dropout.err()).contains("--dropout must be a number in [0, 1) or auto").contains("lots");

        var decay = run("lm", "train", "--data", "names", "--decay", "0", "--steps", "1", "--quiet", "--out",
                dir.resolve("x.safetensors").toString());
        assertThat(decay.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(decay.err()).contains("--decay must be in (0, 1]").doesNotContain("\tat ");

        String[][] outOfRange = {
            {"--steps", "0", "--steps must be at least 1, got 0"},
            {"--epochs", "-2", "--epochs must be at least 1, got -2"},
            {"--time", "0s", "\"0s\" is no time at all"},
            {"--bptt", "0", "--bptt must be at least 1, got 0"},
            {"--batch", "0", "--batch must be at least 1, got 0"},
            {"--hidden", "0", "--hidden must be at least 1, got 0"},
            {"--lr", "-1", "--lr must be a positive number, got -1.0"},
            {"--eval-every", "-1", "--eval-every must be ≥ 0"},
            {"--sample-length", "-1", "--sample-length must be at least 0, got -1"},
            {"--vocab-size", "1", "--vocab-size must be 0 (no limit) or at least 2, got 1"},
        };
        for (String[] c : outOfRange) {
            var refused = run("lm", "train", "--data", "names", c[0], c[1], "--quiet", "--out", dir.resolve("x.safetensors").toString());
            assertThat(refused.code()).as(c[0]).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(refused.err()).as(c[0]).contains(c[2]).doesNotContain("\tat ");
        }
        assertThat(dir.resolve("x.safetensors.ckpt")).as("nothing trained").doesNotExist();

        Path binary = Files.write(dir.resolve("blob.bin"), new byte[] {1, 0, 2, 0, 3});
        assertThat(run("lm", "train", "--data", binary.toString(), "--steps", "1").err()).contains("binary");

        Path folder = Files.createDirectories(dir.resolve("texts"));
        var folderData = run("lm", "train", "--data", folder.toString(), "--steps", "1");
        assertThat(folderData.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(folderData.err()).contains("texts: is a folder; give one text file").doesNotContain("\tat ");
        var folderOut = run("lm", "train", "--data", "names", "--steps", "1", "--out", folder.toString());
        assertThat(folderOut.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(folderOut.err()).contains("--out " + folder + " is a folder").contains(folder.resolve("names-lstm.safetensors").toString());
        assertThat(folderOut.err()).as("refused before training").doesNotContain("validation");
        var folderModel = run("lm", "eval", "--model", folder.toString(), "--data", "names");
        assertThat(folderModel.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(folderModel.err()).contains("texts: is a folder, not a model file");

        Path notAModel = Files.writeString(dir.resolve("x.safetensors"), "not a model at all");
        var m = run("lm", "generate", "--model", notAModel.toString());
        assertThat(m.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(m.err()).contains("x.safetensors");

        assertThat(run(train("t.safetensors", "--steps", "2")).code()).isZero();
        var t = run("lm", "generate", "--model", dir.resolve("t.safetensors").toString(), "--temperature", "0");
        assertThat(t.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(t.err()).contains("temperature must be");
        var cell = run("lm", "train", "--cell", "transformer", "--steps", "1");
        assertThat(cell.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(cell.err()).contains("--cell").contains("transformer").contains("RNN, LSTM, GRU");
    }
}
