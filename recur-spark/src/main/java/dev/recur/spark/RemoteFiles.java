package dev.recur.spark;

import dev.recur.tensor.InvalidInputException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Files named by a Hadoop file system URI (hdfs://, s3a://, gs://, abfs://, file:/, ...): a command's arguments that
 * name one are copied to local files before the command reads them, on the driver and on every worker, since Recur's
 * readers read local files; {@code --out} with a URI trains into a local folder and uploads the run's files at the end.
 */
public final class RemoteFiles {
    private static final Pattern URI_ARG = Pattern.compile("(?i)(hdfs|s3a|s3|s3n|gs|abfs|abfss|wasb|wasbs|adl|viewfs|webhdfs|swebhdfs|ofs|o3fs|file|ftp|sftp|har):.+");

    /** Local path → the URI it stands for, for every argument replaced. */
    private final Map<String, String> replaced = new LinkedHashMap<>();
    private String out;
    private Path local;

    public static boolean isUri(String arg) {
        return URI_ARG.matcher(arg).matches();
    }

    /**
     * Replaces, in {@code args} (a parser's stack of what is left of the command line), every URI by a local copy,
     * and the URI after {@code --out} by a path in a local folder whose files {@link #upload} sends there.
     */
    public void localize(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String option = null, value = arg;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                option = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!isUri(value)) continue;
            boolean isOut = "--out".equals(option) || option == null && i > 0 && args.get(i - 1).equals("--out");
            String path = isOut ? outPath(value) : download(value);
            replaced.put(path, value);
            args.set(i, option == null ? path : option + "=" + path);
        }
    }

    /** The URI an argument stood for before {@link #localize}, or the argument itself. */
    public String original(String arg) {
        return replaced.getOrDefault(arg, arg);
    }

    /** Copies the run's files (the model and what sits beside it) to where --out named, when that was a URI. */
    public void upload() throws IOException {
        if (out == null) return;
        URI target = URI.create(out);
        var fs = FileSystem.get(target, new Configuration());
        var parent = new org.apache.hadoop.fs.Path(target).getParent();
        try (var files = Files.list(local)) {
            for (Path file : files.toList()) {
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(file.toUri()), new org.apache.hadoop.fs.Path(parent, file.getFileName().toString()));
            }
        }
    }

    private String outPath(String uri) {
        try {
            local = Files.createTempDirectory("recur-out");
            out = uri;
            String name = new org.apache.hadoop.fs.Path(URI.create(uri)).getName();
            return local.resolve(name).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String download(String uri) {
        try {
            URI source = URI.create(uri);
            var from = new org.apache.hadoop.fs.Path(source);
            var fs = FileSystem.get(source, new Configuration());
            if (!fs.exists(from)) throw new InvalidInputException(uri + ": no such file");
            Path dir = Files.createTempDirectory("recur-data");
            Path to = dir.resolve(from.getName());
            fs.copyToLocalFile(false, from, new org.apache.hadoop.fs.Path(to.toUri()), true);
            return to.toString();
        } catch (IOException | IllegalArgumentException e) {
            if (e instanceof InvalidInputException i) throw i;
            throw new InvalidInputException(uri + ": cannot read it: " + SparkTraining.firstLine(e), e);
        }
    }
}
