package dev.recur.cli;

import dev.recur.data.DataFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a task's examples come from, shared by every task's {@code train}; mixed in with {@code @Mixin}. */
public final class DataOptions {
    @Option(names = "--data", paramLabel = "SPEC", required = true, description = "A bundled data set or a file (see below).")
    public String data;

    @Option(names = "--valid", paramLabel = "FILE", description = "Validation examples (default: cut from --data).")
    public Path valid;

    @Option(names = "--test", paramLabel = "FILE", description = "Test examples (default: cut from --data).")
    public Path test;

    /** The files these options name, {@code bundled} being the task's bundled data sets. */
    public DataFiles files(List<String> bundled) throws IOException {
        return DataFiles.resolve(data, valid, test, bundled);
    }
}
