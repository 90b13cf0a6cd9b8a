package dev.recur.cli;

import dev.recur.kernel.Kernels;
import dev.recur.kernel.Parallel;
import dev.recur.tensor.InvalidInputException;
import dev.recur.train.DivergenceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** The {@code recur} command: finds the subcommands, runs one, and turns failures into one line and an exit code. */
@Command(name = "recur", mixinStandardHelpOptions = true, versionProvider = Recur.Version.class,
        subcommands = {dev.recur.cli.lm.LmCommand.class, dev.recur.cli.classify.ClassifyCommand.class, dev.recur.cli.tag.TagCommand.class, dev.recur.cli.seq2seq.Seq2SeqCommand.class,
                dev.recur.cli.forecast.ForecastCommand.class, dev.recur.cli.anomaly.AnomalyCommand.class,
                dev.recur.cli.model.EncodeCommand.class,
                dev.recur.cli.model.InspectCommand.class, dev.recur.cli.model.QuantizeCommand.class, dev.recur.cli.gradflow.GradflowCommand.class},
        description = "Recurrent neural networks for the JVM: build, train, evaluate and run RNN, LSTM and GRU models.",
        footer = {"%nExamples:",
                "  recur lm train                  a char-LSTM on State of the Union speeches",
                "  recur lm generate --model sotu-lstm.safetensors --prompt \"My fellow\"",
                "  recur classify train --data spam --time 10m   a spam filter",
                "  recur tag train --data brown-pos --time 15m   a part-of-speech tagger",
                "  recur seq2seq train --data cmudict --time 30m   spelling to pronunciation, with attention",
                "  recur forecast train --data electricity --time 10m   day-ahead electricity demand",
                "  recur anomaly train --data sensors --time 5m   flag odd sensor readings",
                "  recur encode --model lstm.safetensors --input x.json",
                "                                  run an RNN/LSTM/GRU saved from PyTorch",
                "  recur spark lm train --master 'local[2]'",
                "                                  train any task on Spark",
                "  recur gradflow                  how the gradient reaches early steps",
                "  recur bench gemm                GFLOP/s of the matrix kernels",
                "  recur lm train --help           every option of a command, with examples",
                "%nExit codes: 0 ok, 1 failure, 2 bad input (option, data or model file),",
                "3 training diverged."})
public final class Recur implements Runnable {

    /** Task headings for the help, in order, with the commands under each. */
    static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("Language modelling", List.of("lm"));
        GROUPS.put("Tasks", List.of("classify", "tag", "seq2seq", "forecast", "anomaly"));
        GROUPS.put("Models", List.of("encode", "inspect", "quantize", "serve", "export", "import"));
        GROUPS.put("Distributed", List.of("spark"));
        GROUPS.put("Diagnostics", List.of("gradflow"));
        GROUPS.put("Performance", List.of("bench"));
    }

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "On failure, print the full stack trace.")
    boolean stacktrace;

    /** Before the verb, for every command; after it, commands that compute take it too ({@link CommonOptions}). */
    @Option(names = "--threads", paramLabel = "N",
            description = "Threads to compute on (default: the RECUR_THREADS variable, else all cores).")
    void threads(int n) {
        CommonOptions.setThreads(spec.commandLine(), n);
    }

    @CommandLine.Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs {@code recur args} in this process and returns the exit code; for tests as well as {@link #main}. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command tree with every registered subcommand and Recur's error handling. */
    public static CommandLine commandLine() {
        var cl = new CommandLine(new Recur());
        for (RecurCommands commands : ServiceLoader.load(RecurCommands.class)) commands.addTo(cl);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING, help -> "");
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Recur::groupedCommands);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOverwrittenOptionsAllowed(true);   // the last of a repeated option wins, as in most commands
        cl.setExecutionExceptionHandler(Recur::handleFailure);
        cl.setParameterExceptionHandler(Recur::handleBadOption);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static String groupedCommands(CommandLine.Help help) {
        var subcommands = help.subcommands();
        if (subcommands.isEmpty()) return "";
        var sb = new StringBuilder();
        var listed = new java.util.HashSet<String>();
        for (var group : GROUPS.entrySet()) {
            var present = group.getValue().stream().filter(subcommands::containsKey).toList();
            if (present.isEmpty()) continue;
            sb.append("%n").append(group.getKey()).append(":%n");
            for (String name : present) {
                sb.append(line(name, subcommands.get(name)));
                listed.add(name);
            }
        }
        var others = subcommands.keySet().stream().filter(n -> !listed.contains(n) && !n.equals("help")).toList();
        if (!others.isEmpty()) {
            sb.append("%nOther:%n");
            for (String name : others) sb.append(line(name, subcommands.get(name)));
        }
        return String.format(sb.toString());
    }

    private static String line(String name, CommandLine.Help help) {
        String[] description = help.commandSpec().usageMessage().description();
        String first = description.length == 0 ? "" : description[0];
        var sb = new StringBuilder(String.format("  %-10s", name));
        int column = sb.length();
        for (String word : first.split(" ")) {
            if (column + 1 + word.length() > 80) {
                sb.append("\n").append(" ".repeat(13));
                column = 13;
            } else {
                sb.append(' ');
                column++;
            }
            sb.append(word);
            column += word.length();
        }
        return sb.toString().replace("%", "%%").replace("\n", "%n") + "%n";
    }

    private static int handleFailure(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        err.println("recur: " + message);
        if (wantsStacktrace(parsed)) e.printStackTrace(err);
        else if (exitCodeOf(e) == ExitCodes.FAILURE) err.println("recur: run again with --stacktrace for the details");
        err.flush();
        return exitCodeOf(e);
    }

    private static int handleBadOption(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("recur: " + e.getMessage());
        err.println("recur: see '" + cl.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    /**
     * 3 for a divergence, 2 for bad input (an {@link InvalidInputException}: an option, a data file or a model file;
     * or a file that cannot be read or written), 1 for anything else: a failure of Recur's own.
     */
    static int exitCodeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DivergenceException) return ExitCodes.DIVERGED;
        }
        if (e instanceof InvalidInputException || e instanceof IOException || e instanceof UncheckedIOException
                || e instanceof CommandLine.ParameterException) {
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.FAILURE;
    }

    private static boolean wantsStacktrace(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--stacktrace")) return true;
        }
        return false;
    }

    /** Prints Recur's version, the JVM and the kernels in use. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            var props = new Properties();
            try (InputStream in = Recur.class.getResourceAsStream("/recur-version.properties")) {
                if (in != null) props.load(in);
            }
            return new String[] {
                "recur " + props.getProperty("version", "unknown"),
                "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                "kernels " + Kernels.get().name() + ", " + Parallel.threads() + " thread(s)"
            };
        }
    }
}
