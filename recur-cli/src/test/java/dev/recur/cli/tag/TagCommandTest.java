package dev.recur.cli.tag;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.ExitCodes;
import dev.recur.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void bundledDataIsOneLevelUp() {
        System.setProperty("recur.home", "..");
    }

    private static CliRun.Result run(String stdin, String... args) {
        return CliRun.run(stdin, args);
    }

    /** A CoNLL slice of the bundled Brown names: its first 400 training sentences. */
    private Path slice(String set, int sentences) throws Exception {
        var text = new String(new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of("../data/" + set + "/train.conll.gz"))).readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        var blocks = text.split("\n\n");
        return Files.writeString(dir.resolve(set + ".conll"), String.join("\n\n", List.of(blocks).subList(0, sentences)) + "\n");
    }

    private String[] train(String out, String data, String... extra) {
        var args = new ArrayList<>(List.of("tag", "train", "--data", data, "--hidden", "16", "--embed", "16", "--char-embed", "8",
                "--char-hidden", "8", "--steps", "40", "--eval-every", "20", "--quiet", "--threads", "1", "--out", dir.resolve(out).toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsACrfOnBioNamesThenEvaluatesAndPredictsCoNLL() throws Exception {
        Path data = slice("brown-names", 400);
        var r = run("", train("n.safetensors", data.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("test: accuracy ").contains("spans precision");
        String model = dir.resolve("n.safetensors").toString();
        var inspect = run("", "inspect", model);
        assertThat(inspect.out()).contains("\"crf\"").contains("\"bio\"").contains("crf.transitions");

        var eval = run("", "tag", "eval", "--model", model, "--data", data.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("tokens").asLong()).isGreaterThan(1000);
        assertThat(json.get("spans").get("f1").asDouble()).isBetween(0.0, 1.0);

        var predict = run("The jury praised Atlanta .\nMary went home\n", "tag", "predict", "--model", model, "--input", "-");
        assertThat(predict.code()).as(predict.err()).isZero();
        var lines = predict.out().split("\n", -1);
        assertThat(lines[0]).startsWith("The\t");
        assertThat(lines[5]).isEmpty();
        assertThat(lines[6]).startsWith("Mary\t").matches("Mary\t(O|B-NAME)");
    }

    @Test
    void plainTagsGetASoftmaxAndAccuracy() throws Exception {
        var r = run("", train("p.safetensors", slice("brown-pos", 200).toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("test: accuracy ").doesNotContain("spans");
        assertThat(run("", "inspect", dir.resolve("p.safetensors").toString()).out()).contains("\"softmax\"").contains("\"none\"");
    }

    @Test
    void badInputGetsOneLineAndExitCodeTwo() throws Exception {
        Path ragged = Files.writeString(dir.resolve("ragged.conll"), "The\tDT\tO\ncat\tNN\tO\n\nA\tDT\nx\tNN\tO\n");
        var r = run("", train("x.safetensors", ragged.toString()));
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("recur: ").contains("ragged.conll:4").doesNotContain("\tat ");
        Path empty = Files.writeString(dir.resolve("empty.conll"), "\n\n");
        assertThat(run("", train("x.safetensors", empty.toString())).err()).contains("empty.conll").contains("no sentences");
        Path untagged = Files.writeString(dir.resolve("untagged.conll"), "The\ncat\n\nA\ndog\n");
        assertThat(run("", train("x.safetensors", untagged.toString())).err()).contains("untagged.conll:1").contains("the tag column is the token column");
        assertThat(dir.resolve("x.safetensors")).doesNotExist();
        assertThat(run("", "tag", "train", "--data", "brown-pos", "--head", "hmm", "--steps", "1").err()).contains("--head must be auto, softmax or crf");
    }
}
