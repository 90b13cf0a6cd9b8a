package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    @TempDir
    Path dir;

    @Test
    void aTextFileSplitsNinetyFiveFiveByCodePoints() throws IOException {
        var text = new StringBuilder();
        for (int i = 0; i < 1000; i++) text.appendCodePoint(i % 10 == 0 ? 0x1F600 + i / 10 : 'a' + i % 26);   // every tenth outside the BMP
        Path file = Files.writeString(dir.resolve("story.txt"), text);
        Corpus c = Corpus.resolve(file.toString());
        assertThat(c.name()).isEqualTo("story.txt");
        assertThat(c.train().codePointCount(0, c.train().length())).isEqualTo(900);
        assertThat(c.valid().codePointCount(0, c.valid().length())).isEqualTo(50);
        assertThat(c.test().codePointCount(0, c.test().length())).isEqualTo(50);
        assertThat(c.train() + c.valid() + c.test()).isEqualTo(text.toString());
        assertThat(c.valid().codePointAt(0)).isEqualTo(0x1F600 + 90);   // code point 900 starts validation
    }

    @Test
    void cutsRoundDown() throws IOException {
        Path file = Files.writeString(dir.resolve("odd.txt"), "x".repeat(119));
        Corpus c = Corpus.resolve(file.toString(), StandardCharsets.UTF_8);
        assertThat(c.train()).hasSize(107);                 // ⌊119 · 0.90⌋
        assertThat(c.valid()).hasSize(6);                   // ⌊119 · 0.95⌋ − 107
        assertThat(c.test()).hasSize(6);
    }

    @Test
    void aBundledCorpusIsReadFromTheRepository() throws IOException {
        String before = System.getProperty("recur.home");
        System.setProperty("recur.home", "..");
        try {
            Corpus names = Corpus.resolve("names");
            assertThat(names.name()).isEqualTo("names");
            assertThat(names.train()).isEqualTo(TextCorpus.read(Path.of("../data/names/train.txt.gz")));
            assertThat(names.test()).isEqualTo(TextCorpus.read(Path.of("../data/names/test.txt.gz")));
            System.setProperty("recur.home", dir.toString());
            assertThatThrownBy(() -> Corpus.resolve("sotu")).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("the bundled corpus sotu is missing; run recur from its repository (or set -Drecur.home)");
        } finally {
            if (before == null) System.clearProperty("recur.home");
            else System.setProperty("recur.home", before);
        }
    }

    @Test
    void refusesAMissingOrTooShortFile() throws IOException {
        assertThatThrownBy(() -> Corpus.resolve(dir.resolve("nope.txt").toString())).isInstanceOf(NoSuchFileException.class)
                .hasMessageEndingWith("nope.txt: no such file, and not a bundled corpus (sotu, moby-dick, names)");
        Path short99 = Files.writeString(dir.resolve("short.txt"), "y".repeat(99));
        assertThatThrownBy(() -> Corpus.resolve(short99.toString()))
                .hasMessageEndingWith("short.txt: holds only 99 characters; a language model needs at least 100");
    }
}
