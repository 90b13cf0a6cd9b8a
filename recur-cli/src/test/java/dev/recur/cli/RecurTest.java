package dev.recur.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.data.InvalidDataException;
import dev.recur.io.ModelFormatException;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.train.DivergenceException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class RecurTest {

    /** Runs {@code recur args} in process with a test command added; returns exit code, stdout and stderr. */
    private static Result run(String... args) {
        CommandLine cl = Recur.commandLine();
        cl.addSubcommand("probe", new Probe());
        cl.addSubcommand("common", new WithCommon());
        var out = new StringWriter();
        var err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int code, String out, String err) {}

    @Command(name = "probe", description = "A command that fails on request.")
    static final class Probe implements Runnable {
        @Option(names = "--fail", description = "bad-input, diverged or bug")
        String fail = "";

        @Override
        public void run() {
            switch (fail) {
                case "bad-input" -> throw new InvalidDataException("data.txt:3: expected a number, got \"x\"");
                case "bad-option" -> throw new InvalidOptionException("hidden must be positive, got 0");
                case "bad-model" -> throw new ModelFormatException("m.safetensors", "tensor weight_hh_l0 is missing");
                case "diverged" -> throw new DivergenceException(12, "step 12: loss is NaN");
                case "bug" -> throw new IllegalStateException("unexpected state");
                case "library-bug" -> throw new IllegalArgumentException("shapes [2, 3] and [4, 5] do not multiply");
                default -> { }
            }
        }
    }

    @Test
    void helpListsCommandsGroupedByTaskAndEndsWithExamples() {
        var r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: recur").contains("Other:").contains("probe").contains("Examples:")
                .contains("Exit codes:");
    }

    @Test
    void versionNamesJavaAndKernels() {
        var r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("recur ").contains("java ").contains("kernels ");
    }

    @Test
    void unknownOptionIsBadInputOnOneLine() {
        var r = run("--no-such-option");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("recur: ").contains("--no-such-option").doesNotContain("Exception");
    }

    @Test
    void badInputMapsToExitCodeTwoWithTheMessage() {
        var r = run("probe", "--fail", "bad-input");
        assertThat(r.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("recur: data.txt:3: expected a number, got \"x\"" + System.lineSeparator());
    }

    @Test
    void invalidOptionsAndModelsAreBadInputButAPlainIllegalArgumentIsRecursOwnFailure() {
        assertThat(run("probe", "--fail", "bad-option").code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run("probe", "--fail", "bad-model").code()).isEqualTo(ExitCodes.BAD_INPUT);
        var bug = run("probe", "--fail", "library-bug");
        assertThat(bug.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(bug.err()).contains("do not multiply").contains("--stacktrace");
    }

    @Test
    void threadsAndStacktraceAreAcceptedBeforeTheVerbAndAfterIt() {
        int before = Parallel.threads();
        try {
            assertThat(run("--threads", "1", "probe").code()).isZero();
            assertThat(Parallel.threads()).isEqualTo(1);
            assertThat(run("common", "--threads", "2").code()).isZero();
            assertThat(Parallel.threads()).isEqualTo(2);
            assertThat(run("--stacktrace", "probe", "--fail", "bug").err()).contains("\tat ");
            assertThat(run("--threads", "0", "probe").err()).contains("--threads must be at least 1, got 0");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void divergenceMapsToExitCodeThree() {
        assertThat(run("probe", "--fail", "diverged").code()).isEqualTo(ExitCodes.DIVERGED);
    }

    @Test
    void otherFailuresMapToOneAndHideTheStackTraceUnlessAsked() {
        var plain = run("probe", "--fail", "bug");
        assertThat(plain.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(plain.err()).contains("recur: unexpected state").doesNotContain("\tat ");

        var traced = run("probe", "--fail", "bug", "--stacktrace");
        assertThat(traced.code()).isEqualTo(ExitCodes.FAILURE);
        assertThat(traced.err()).contains("recur: unexpected state").contains("\tat ");
    }

    @Test
    void threadsMustBePositive() {
        CommandLine cl = Recur.commandLine();
        cl.addSubcommand("common", new WithCommon());
        var err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("common", "--threads", "0")).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains("--threads must be at least 1, got 0");
    }

    @Command(name = "common")
    static final class WithCommon implements Runnable {
        @CommandLine.Mixin
        CommonOptions common;

        @Override
        public void run() {}
    }
}
