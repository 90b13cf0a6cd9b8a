package dev.recur.cli.gradflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.ExitCodes;
import dev.recur.cli.Recur;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GradflowCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    /** Runs recur in process, capturing System.out (where results go) and the error stream. */
    private static Result run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new StringWriter();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            var cl = Recur.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void drawsThePlotPrintsTheTableAndLogsParameterNorms() throws Exception {
        Path png = dir.resolve("flow.png");
        var r = run("gradflow", "--length", "12", "--hidden", "6", "--batch", "4", "--steps", "3", "--threads", "1", "--quiet",
                "--out", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(png).isNotEmptyFile();
        assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
        assertThat(r.out()).contains("t=1", "t=T", "t=1 / t=T");
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            assertThat(r.out()).containsPattern("(?m)^" + cell + " +init ");
            assertThat(r.out()).containsPattern("(?m)^" + cell + " +3 steps ");
        }
        var lines = Files.readAllLines(dir.resolve("flow.jsonl"));
        assertThat(lines).hasSize(6);
        var first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("state_grad_norms")).hasSize(12);
        assertThat(first.get("param_grad_norms").get("rnn.weight_hh_l0").asDouble()).isPositive();
    }

    @Test
    void unknownCellIsBadInput() {
        var r = run("gradflow", "--cell", "transformer", "--steps", "0", "--out", dir.resolve("x.png").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--cell", "transformer");
    }

    @Test
    void helpHasAnExample() {
        var r = run("gradflow", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Example", "recur gradflow --cell");
    }
}
