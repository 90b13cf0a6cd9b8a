package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) while it writes a checkpoint leaves the previous checkpoint readable: the child
 * JVM below rewrites one 24 MB file in a loop, and is killed at a different moment each round.
 */
class KilledWhileSavingTest {
    @TempDir
    Path dir;

    /** The child: writes {@code file} over and over, each version filled with its round number. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Tensor big = Tensor.zeros(6_000_000);
        for (int round = 1; ; round++) {
            big.fill(round);
            SafeTensors.write(file, Map.of("weights", big), Map.of("round", Integer.toString(round)));
            Files.writeString(file.resolveSibling("progress"), Integer.toString(round));
        }
    }

    @Test
    void killingTheWriterMidSaveLeavesTheLastCompleteFile() throws Exception {
        Path file = dir.resolve("model.ckpt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int attempt = 0; attempt < 4; attempt++) {
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    KilledWhileSavingTest.class.getName(), file.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                waitForProgress(dir.resolve("progress"), attempt + 2);
                Thread.sleep(7L * attempt);   // land the kill at different points of a save
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            SafeTensors saved = SafeTensors.read(file);
            float round = Float.parseFloat(saved.metadata().get("round"));
            Tensor w = saved.tensors().get("weights");
            assertThat(w.size()).isEqualTo(6_000_000);
            assertThat(w.at(0)).isEqualTo(round);
            assertThat(w.at(w.size() - 1)).as("a complete version, not half of one").isEqualTo(round);
            Files.deleteIfExists(dir.resolve("progress"));
        }
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().equals("model.ckpt"))).hasSize(1);
        }
    }

    private static void waitForProgress(Path progress, int rounds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(progress)) {
                String s = Files.readString(progress).trim();
                if (!s.isEmpty() && Integer.parseInt(s) >= rounds) return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the writer did not finish " + rounds + " saves in 60 s");
    }
}
