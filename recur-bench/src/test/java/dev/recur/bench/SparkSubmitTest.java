package dev.recur.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.io.ModelFile;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * recur-spark.jar as spark-submit runs it: Spark's own class path (here Spark's jars from Maven, without Recur's), the
 * application jar on top, {@code org.apache.spark.deploy.SparkSubmit --class dev.recur.spark.cli.Submit}.
 */
class SparkSubmitTest {
    @TempDir
    Path dir;

    @Test
    void theApplicationJarTrainsThroughSparkSubmit() throws Exception {
        Path jar = Path.of("../recur-spark/target/recur-spark.jar").toAbsolutePath().normalize();
        assertThat(jar).as("built by recur-spark's package phase").exists();
        Path text = dir.resolve("names.txt");
        try (var in = new GZIPInputStream(Files.newInputStream(Path.of("../data/names/train.txt.gz")))) {
            Files.writeString(text, new String(in.readAllBytes(), StandardCharsets.UTF_8).substring(0, 20_000));
        }
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String spark = String.join(File.pathSeparator, Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar") && !entry.contains(File.separator + "dev" + File.separator + "recur" + File.separator))
                .toList());
        var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector"));
        command.addAll(List.of(System.getProperty("recur.spark.jvm").trim().split("\\s+")));
        command.addAll(List.of("-cp", spark, "org.apache.spark.deploy.SparkSubmit", "--class", "dev.recur.spark.cli.Submit", "--master", "local[2]",
                jar.toString(), "lm", "train", "--data", text.toString(), "--hidden", "16", "--embed", "8", "--layers", "1", "--batch", "4",
                "--bptt", "16", "--steps", "3", "--eval-tokens", "300", "--sample-length", "0", "--quiet", "--out", dir.resolve("m.safetensors").toString()));
        var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("spark-submit finished").isTrue();
        String log = Files.readString(dir.resolve("log.txt"));
        assertThat(process.exitValue()).as(log).isZero();
        assertThat(ModelFile.read(dir.resolve("m.safetensors")).config().get("type").asText()).isEqualTo("language_model");
    }
}
