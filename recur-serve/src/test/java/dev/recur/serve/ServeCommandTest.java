package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.data.Tokenizer;
import dev.recur.data.Vocabulary;
import dev.recur.nn.CellType;
import dev.recur.task.lm.LanguageModel;
import dev.recur.task.lm.LanguageModelConfig;
import dev.recur.tensor.Rng;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code recur serve} as its own process: the line it prints, and SIGTERM, which finishes what is in flight and exits 0. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void printsWhereItListensAndStopsCleanlyOnSigterm() throws Exception {
        var symbols = new ArrayList<>(List.of(Vocabulary.UNKNOWN, " ", "\n"));
        for (char ch = 'a'; ch <= 'z'; ch++) symbols.add(String.valueOf(ch));
        Path lm = dir.resolve("lm.safetensors");
        new LanguageModel(new LanguageModelConfig(Tokenizer.CHAR, CellType.GRU, 4, 6, 1, 0f), Vocabulary.of(symbols), new Rng(1)).save(lm);
        Path key = dir.resolve("key.txt");
        Files.writeString(key, "k3y\n");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "dev.recur.cli.Recur", "serve", "--model", "lm=" + lm, "--port", "0", "--api-key-file", key.toString(), "--threads", "1")
                .redirectError(dir.resolve("err.txt").toFile()).start();
        try {
            var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as(Files.readString(dir.resolve("err.txt"))).matches("listening on http://127\\.0\\.0\\.1:\\d+");
            String base = line.substring("listening on ".length());
            assertThat(ServerTest.send(base, "GET", "/v1/health", null).status()).isEqualTo(200);
            assertThat(ServerTest.send(base, "GET", "/v1/models", null).status()).isEqualTo(401);

            var slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return ServerTest.send(base, "POST", "/v1/models/lm/generate", "{\"max_tokens\": 30000, \"seed\": 2}", "Authorization", "Bearer k3y");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(500);
            process.destroy();   // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
            var reply = slow.get(10, TimeUnit.SECONDS);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("text").asText()).isNotEmpty();
            assertThat(Files.readAllLines(dir.resolve("err.txt"))).as("nothing logged").allMatch(l -> l.contains("incubator modules"));
        } finally {
            process.destroyForcibly();
        }
    }
}
