package dev.recur.cli.seq2seq;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.CliRun;
import dev.recur.cli.ExitCodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Seq2SeqCommandTest {
    @TempDir
    static Path dir;

    private static Path model;

    @BeforeAll
    static void trainsASmallModelOnASliceOfCmudict() throws Exception {
        System.setProperty("recur.home", "..");
        Path data = slice("cmudict", "train", 800);
        model = dir.resolve("g2p.safetensors");
        var r = CliRun.run("", train(data, model, "--keep-stress"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("test (greedy): BLEU ").contains("sequence accuracy").contains("token error rate");
    }

    private static String[] train(Path data, Path out, String... extra) {
        var args = new ArrayList<>(List.of("seq2seq", "train", "--data", data.toString(), "--embed", "8", "--hidden", "16", "--layers", "1",
                "--steps", "30", "--eval-every", "15", "--batch", "16", "--quiet", "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** The first {@code lines} lines of a bundled split, as a plain TSV file. */
    private static Path slice(String set, String part, int lines) throws Exception {
        String text = new String(new GZIPInputStream(Files.newInputStream(Path.of("../data/" + set + "/" + part + ".tsv.gz"))).readAllBytes(), StandardCharsets.UTF_8);
        return Files.writeString(dir.resolve(set + "-" + part + ".tsv"), String.join("\n", text.lines().limit(lines).toList()) + "\n");
    }

    @Test
    void evalPrintsOneJsonObjectInTheDocumentedShape() throws Exception {
        Path test = slice("cmudict", "test", 60);
        var r = CliRun.run("", "seq2seq", "eval", "--model", model.toString(), "--data", test.toString(), "--beam", "3", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        var json = new ObjectMapper().readTree(r.out());
        assertThat(json.fieldNames()).toIterable().containsExactly("sentences", "bleu", "chrf", "sequence_accuracy", "token_error_rate");
        assertThat(json.get("sentences").asInt()).isBetween(40, 60);   // variants of a word are one sentence
        assertThat(json.get("bleu").asDouble()).isBetween(0.0, 100.0);
        assertThat(json.get("token_error_rate").asDouble()).isGreaterThanOrEqualTo(0.0);
        var text = CliRun.run("", "seq2seq", "eval", "--model", model.toString(), "--data", test.toString(), "--beam", "1");
        assertThat(text.out()).startsWith("BLEU ");
        assertThat(text.err()).contains("sources/s");
    }

    @Test
    void translateWritesOneLinePerInputNBestAndAnAttentionMap() throws Exception {
        var r = CliRun.run("PYTHON\n\nRECUR\n", "seq2seq", "translate", "--model", model.toString(), "--input", "-");
        assertThat(r.code()).as(r.err()).isZero();
        var lines = r.out().split("\n", -1);
        assertThat(lines).hasSize(4);
        assertThat(lines[1]).isEmpty();
        assertThat(lines[0]).matches("[A-Z0-9 ]*");
        Path png = dir.resolve("attention.png");
        var n = CliRun.run("PYTHON\nRECUR\n", "seq2seq", "translate", "--model", model.toString(), "--input", "-", "--beam", "4", "--n-best", "3",
                "--attention-png", png.toString());
        assertThat(n.code()).as(n.err()).isZero();
        for (String line : n.out().strip().split("\n")) {
            String[] cells = line.split("\t");
            assertThat(cells).hasSize(6);
            double previous = Double.POSITIVE_INFINITY;
            for (int k = 1; k < 6; k += 2) {
                double score = Double.parseDouble(cells[k]);
                assertThat(score).isLessThanOrEqualTo(previous).isLessThanOrEqualTo(0);
                previous = score;
            }
        }
        assertThat(Files.size(png)).isGreaterThan(1000);
        var unknown = CliRun.run("PYTHÖN\n", "seq2seq", "translate", "--model", model.toString(), "--input", "-", "--beam", "1");
        assertThat(unknown.code()).isZero();
        assertThat(unknown.err()).contains("never seen in training").contains("Ö");
    }

    @Test
    void aBpeTranslationModelTrainsOnAFileItSplitsItself() throws Exception {
        Path data = slice("bible-es-en", "train", 400);
        Path out = dir.resolve("es-en.safetensors");
        var r = CliRun.run("", train(data, out, "--bpe-merges", "200", "--attention", "additive", "--cell", "gru"));
        assertThat(r.code()).as(r.err()).isZero();
        var inspect = CliRun.run("", "inspect", out.toString());
        assertThat(inspect.out()).contains("\"seq2seq\"").contains("\"additive\"").contains("\"word\"").contains("attention.v");
        var t = CliRun.run("Y dijo Dios: Sea la luz.\n", "seq2seq", "translate", "--model", out.toString(), "--input", "-", "--beam", "2");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out().split("\n")).hasSize(1);
    }

    @Test
    void badInputGetsOneLineAndExitCodeTwo() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.tsv"), "\n\n");
        Path noTab = Files.writeString(dir.resolve("notab.tsv"), "HELLO\tHH AH L OW\nWORLD W ER L D\n");
        Path emptyTarget = Files.writeString(dir.resolve("et.tsv"), "HELLO\tHH AH L OW\nWORLD\t \n");
        var many = new StringBuilder();
        for (int i = 0; i < 60; i++) many.append("WORD").append((char) ('A' + i % 26)).append((char) ('A' + i / 26)).append("\tW ER D\n");
        Path longSource = Files.writeString(dir.resolve("long.tsv"), many + "A".repeat(300) + "\tEY\n");
        for (Path bad : List.of(empty, noTab, emptyTarget, longSource)) {
            var r = CliRun.run("", train(bad, dir.resolve("x.safetensors")));
            assertThat(r.code()).as(bad + ": " + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        }
        assertThat(CliRun.run("", train(longSource, dir.resolve("x.safetensors"))).err()).contains("long.tsv:61").contains("--max-source");
        var tagger = CliRun.run("", "seq2seq", "eval", "--model", dir.resolve("none.safetensors").toString(), "--data", "cmudict");
        assertThat(tagger.code()).isEqualTo(ExitCodes.BAD_INPUT);
        var wrongTask = CliRun.run("x\n", "lm", "generate", "--model", model.toString(), "--prompt", "A");
        assertThat(wrongTask.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(wrongTask.err()).contains("sequence-to-sequence model").contains("recur seq2seq");
        var attention = CliRun.run("", train(noTab, dir.resolve("x.safetensors"), "--attention", "luong"));
        assertThat(attention.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(attention.err()).contains("additive, dot or general");
    }

    @Test
    void longSourcesAreCutWithAWarningUnderTruncate() throws Exception {
        var lines = new StringBuilder();
        for (int i = 0; i < 60; i++) lines.append("WORD").append((char) ('A' + i % 26)).append((char) ('A' + i / 26)).append("\tW ER D\n");
        lines.append("A".repeat(300)).append("\tEY\n");
        Path data = Files.writeString(dir.resolve("cut.tsv"), lines.toString());
        var r = CliRun.run("", train(data, dir.resolve("cut.safetensors"), "--truncate", "--max-source", "20"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("cut to 20");
    }
}
