package dev.recur.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code recur bench}: the benchmark suites. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the speed of kernels and models.",
        subcommands = {GemmBench.class, TasksBench.class, Rb1Bench.class, BandwidthBench.class, ServeBench.class, SparkBench.class},
        footer = {"%nExample:", "  recur bench gemm --threads 2"})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
