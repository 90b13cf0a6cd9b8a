package dev.recur.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.cli.CliRun;
import dev.recur.data.TextCorpus;
import dev.recur.io.ModelFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur spark TASK train} in local[2] mode: every task, the local-update modes, and bad input. */
class SparkCommandsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void bundledDataIsOneLevelUp() {
        System.setProperty("recur.home", "..");
    }

    private static CliRun.Result spark(String... args) {
        var all = new ArrayList<>(List.of("spark"));
        all.addAll(List.of(args));
        return CliRun.run("", all.toArray(String[]::new));
    }

    private static List<String> local(String task, String out, String... args) {
        var all = new ArrayList<>(List.of(task, "train", "--master", "local[2]", "--workers", "2", "--quiet", "--out", dir.resolve(out).toString()));
        all.addAll(List.of(args));
        return all;
    }

    @Test
    void everyTaskTrainsOnTwoWorkersAndWritesTheModelFileOfOneMachine() throws Exception {
        Path text = Files.writeString(dir.resolve("names.txt"), TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 20_000));
        Path pairs = dir.resolve("cmudict.tsv");
        Files.writeString(pairs, String.join("\n", new String(new GZIPInputStream(Files.newInputStream(Path.of("../data/cmudict/train.tsv.gz")))
                .readAllBytes(), StandardCharsets.UTF_8).lines().limit(600).toList()) + "\n");
        var conll = new String(new GZIPInputStream(Files.newInputStream(Path.of("../data/brown-names/train.conll.gz"))).readAllBytes(), StandardCharsets.UTF_8);
        var spam = new String(new GZIPInputStream(Files.newInputStream(Path.of("../data/spam/train.jsonl.gz"))).readAllBytes(), StandardCharsets.UTF_8);
        Path texts = Files.writeString(dir.resolve("spam.jsonl"), String.join("\n", spam.lines().filter(line -> Math.floorMod(line.hashCode(), 15) == 0).toList()) + "\n");
        Path sentences = Files.writeString(dir.resolve("names.conll"), String.join("\n\n", List.of(conll.split("\n\n")).subList(0, 300)) + "\n");
        var runs = List.of(
                local("lm", "lm.safetensors", "--data", text.toString(), "--hidden", "16", "--embed", "8", "--layers", "1", "--batch", "4",
                        "--bptt", "16", "--steps", "6", "--eval-tokens", "500", "--sample-length", "0"),
                local("classify", "classify.safetensors", "--data", texts.toString(), "--hidden", "8", "--embed", "8", "--batch", "8", "--steps", "4"),
                local("tag", "tag.safetensors", "--data", sentences.toString(), "--hidden", "8", "--embed", "8", "--char-embed", "4", "--char-hidden", "4",
                        "--batch", "8", "--steps", "4"),
                local("seq2seq", "seq2seq.safetensors", "--data", pairs.toString(), "--embed", "8", "--hidden", "8", "--layers", "1", "--batch", "8",
                        "--steps", "4"),
                local("forecast", "forecast.safetensors", "--data", "sunspots", "--hidden", "8", "--batch", "8", "--steps", "4"),
                local("anomaly", "anomaly.safetensors", "--data", "sensors", "--hidden", "8", "--batch", "8", "--steps", "4"));
        for (var args : runs) {
            var r = spark(args.toArray(String[]::new));
            assertThat(r.code()).as(args + "\n" + r.err()).isZero();
            Path model = dir.resolve(args.get(0) + ".safetensors");
            assertThat(ModelFile.read(model).config().get("type").asText()).as(args.get(0)).isNotBlank();
            assertThat(Files.exists(Path.of(model + ".ckpt"))).as("checkpoint of " + args.get(0)).isTrue();
        }
    }

    /** The documented first run: the default model on Moby-Dick for 200 steps on two local workers. */
    @Test
    void mobyDickForTwoHundredStepsOnTwoLocalWorkersLearnsMoreThanLetterFrequencies() throws Exception {
        Path out = dir.resolve("moby.safetensors");
        var r = spark("lm", "train", "--master", "local[2]", "--data", "moby-dick", "--steps", "200", "--quiet", "--sample-length", "0",
                "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        double nats = Double.NaN;
        for (String line : Files.readAllLines(Path.of(out + ".metrics.jsonl"))) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            if (json.has("validation")) nats = json.get("validation").asDouble();
        }
        // English letters alone (a unigram model) take about 4.1 bits = 2.85 nats per character
        assertThat(nats).isLessThan(2.6);
    }

    @Test
    void localUpdateModesTrainInRoundsAndResume() throws Exception {
        Path text = Files.writeString(dir.resolve("rounds.txt"), TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 20_000));
        String[] common = {"--data", text.toString(), "--hidden", "16", "--embed", "8", "--layers", "1", "--batch", "4", "--bptt", "16",
                "--eval-tokens", "500", "--sample-length", "0", "--eval-every", "3"};
        var average = local("lm", "average.safetensors", common);
        average.addAll(List.of("--mode", "average", "--local-steps", "3", "--steps", "6"));
        var r = spark(average.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();

        var resumed = local("lm", "average.safetensors", common);
        resumed.addAll(List.of("--mode", "average", "--local-steps", "3", "--steps", "9", "--resume", dir.resolve("average.safetensors.ckpt").toString()));
        r = spark(resumed.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();

        var fedavg = local("lm", "fedavg.safetensors", common);
        fedavg.addAll(List.of("--mode", "fedavg", "--local-steps", "2", "--clients-per-round", "1", "--steps", "4"));
        r = spark(fedavg.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(ModelFile.read(dir.resolve("fedavg.safetensors")).tensors()).isNotEmpty();
    }

    @Test
    void dataAndModelNamedByHadoopUrisAreReadAndWrittenThroughHadoop() throws Exception {
        Path text = Files.writeString(dir.resolve("uri.txt"), TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 20_000));
        Path out = dir.resolve("uploaded").resolve("uri.safetensors");
        Files.createDirectories(out.getParent());
        var r = spark("lm", "train", "--master", "local[2]", "--workers", "2", "--quiet", "--data", text.toUri().toString(), "--out", out.toUri().toString(),
                "--hidden", "8", "--embed", "8", "--layers", "1", "--batch", "4", "--bptt", "16", "--steps", "2", "--eval-tokens", "300", "--sample-length", "0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(ModelFile.read(out).tensors()).isNotEmpty();
        assertThat(Path.of(out + ".ckpt")).exists();
        assertThat(Path.of(out + ".metrics.jsonl")).exists();

        r = spark("lm", "train", "--master", "local[2]", "--data", dir.resolve("missing.txt").toUri().toString(), "--steps", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing.txt: no such file");
    }

    /**
     * With plain SGD and no clipping, averaging the weights after one local step is the synchronous step (the
     * average of w − lr·g_k weighted by the parts' examples is w − lr·g), and a resumed distributed run is the
     * run without the stop.
     */
    @Test
    void averagingAfterEveryStepIsSyncAndAResumedRunIsTheWholeRun() throws Exception {
        Path text = Files.writeString(dir.resolve("same.txt"), TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 20_000));
        String[] common = {"--data", text.toString(), "--hidden", "16", "--embed", "8", "--layers", "1", "--batch", "4", "--bptt", "16",
                "--dropout", "0", "--optimizer", "sgd", "--lr", "0.5", "--clip", "0", "--eval-every", "0", "--eval-tokens", "500", "--sample-length", "0"};
        var runs = new java.util.LinkedHashMap<String, List<String>>();
        runs.put("sync", List.of("--steps", "6"));
        runs.put("average", List.of("--steps", "6", "--mode", "average", "--local-steps", "1"));
        runs.put("first", List.of("--steps", "3"));
        runs.put("resumed", List.of("--steps", "6", "--resume", dir.resolve("first.safetensors.ckpt").toString()));
        for (var run : runs.entrySet()) {
            var args = local("lm", run.getKey() + ".safetensors", common);
            args.addAll(run.getValue());
            if (run.getKey().equals("resumed")) args.set(args.indexOf("--out") + 1, dir.resolve("resumed.safetensors").toString());
            var r = spark(args.toArray(String[]::new));
            assertThat(r.code()).as(run.getKey() + ": " + r.err()).isZero();
        }
        var sync = ModelFile.read(dir.resolve("sync.safetensors")).tensors();
        var average = ModelFile.read(dir.resolve("average.safetensors")).tensors();
        // the checkpoints' weights: a model file holds the best validated ones, and the stopped run validated at step 3 too
        var straight = dev.recur.io.Checkpoint.read(dir.resolve("sync.safetensors.ckpt")).model();
        var resumed = dev.recur.io.Checkpoint.read(dir.resolve("resumed.safetensors.ckpt")).model();
        for (String name : sync.keySet()) {
            assertThat(SparkTrainingTest.relativeDifference(average.get(name), sync.get(name))).as(name).isLessThan(1e-5);
            assertThat(resumed.get(name).toArray()).as(name).containsExactly(straight.get(name).toArray());
        }
    }

    @Test
    void fedavgDrawsItsClientsFromTheSeedAndRound() {
        int[] a = RoundTask.chosen(7, 3, 8, 3), b = RoundTask.chosen(7, 3, 8, 3), c = RoundTask.chosen(7, 4, 8, 3);
        assertThat(a).isEqualTo(b).hasSize(3).isSorted().doesNotHaveDuplicates();
        assertThat(java.util.Arrays.stream(a).allMatch(k -> k >= 0 && k < 8)).isTrue();
        boolean differs = false;
        for (int round = 0; round < 20 && !differs; round++) differs = !java.util.Arrays.equals(RoundTask.chosen(7, round, 8, 3), a);
        assertThat(differs).isTrue();
        assertThat(c).hasSize(3);
    }

    @Test
    void badSettingsAreOneLineErrorsBeforeTraining() {
        var r = spark("lm", "train", "--master", "local[2]", "--workers", "4", "--batch", "10", "--steps", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--batch 10 does not divide among --workers 4; give a multiple of 4");

        r = spark("lm", "train", "--master", "local[2]", "--workers", "3", "--batch", "6", "--steps", "1", "--data", "names", "--hidden", "8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--workers 3 is more than the 2 task slots of --master local[2]");

        r = spark("lm", "train", "--master", "nonsense://x", "--steps", "1", "--data", "names", "--hidden", "8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("recur: --master nonsense://x: ");

        r = spark("lm", "train", "--master", "local[2]", "--mode", "fedavg", "--schedule", "plateau", "--steps", "2", "--data", "names", "--hidden", "8",
                "--batch", "4");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--schedule plateau");
    }

    @Test
    void aRunThatBlowsUpOnTheWorkersIsADivergenceOnTheDriver() throws Exception {
        Path text = Files.writeString(dir.resolve("boom.txt"), TextCorpus.read(Path.of("../data/names/train.txt.gz")).substring(0, 20_000));
        var r = spark("lm", "train", "--master", "local[2]", "--workers", "2", "--data", text.toString(), "--hidden", "16", "--embed", "8",
                "--layers", "1", "--batch", "4", "--bptt", "16", "--steps", "60", "--lr", "1e37", "--clip", "0", "--sample-length", "0",
                "--out", dir.resolve("boom.safetensors").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("recur: step ").contains("at learning rate").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableMasterIsReportedBeforeSparkStarts() {
        var r = spark("lm", "train", "--master", "spark://127.0.0.1:9", "--steps", "1", "--data", "names", "--hidden", "8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--master spark://127.0.0.1:9: cannot connect to 127.0.0.1:9 (Connection refused); is the master's URL right and is it running?");
    }

    @Test
    void everyTrainCommandHasASparkTwin() {
        var r = spark("--help");
        assertThat(r.code()).isZero();
        for (String task : List.of("lm", "classify", "tag", "seq2seq", "forecast", "anomaly")) assertThat(r.out()).contains(task);
        r = spark("classify", "train", "--help");
        assertThat(r.out()).contains("--master").contains("--workers").contains("--mode").contains("--pooling");
    }
}
