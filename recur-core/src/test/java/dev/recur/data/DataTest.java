package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir
    Path dir;

    @Test
    void readsPlainAndGzippedUtf8AndNormalisesLineEnds() throws IOException {
        Path plain = Files.writeString(dir.resolve("a.txt"), "\uFEFFCall me Ishmael.\r\nSome years ago—");
        assertThat(TextCorpus.read(plain)).isEqualTo("Call me Ishmael.\nSome years ago—");
        Path gz = dir.resolve("a.txt.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("naïve café".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(TextCorpus.read(gz)).isEqualTo("naïve café");
    }

    @Test
    void rejectsEmptyBinaryAndLatin1FilesWithTheFileAndTheReason() throws IOException {
        Path empty = Files.write(dir.resolve("empty.txt"), new byte[0]);
        assertThatThrownBy(() -> TextCorpus.read(empty)).hasMessageContaining("empty.txt").hasMessageContaining("empty");
        Path binary = Files.write(dir.resolve("b.bin"), new byte[] {'a', 0, 'b'});
        assertThatThrownBy(() -> TextCorpus.read(binary)).hasMessageContaining("b.bin").hasMessageContaining("binary");
        Path latin = Files.write(dir.resolve("l.txt"), "caf\u00e9 ok".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> TextCorpus.read(latin)).hasMessageContaining("l.txt").hasMessageContaining("0xE9")
                .hasMessageContaining("offset 3").hasMessageContaining("iconv").hasMessageContaining("--encoding windows-1252");
        assertThat(TextCorpus.read(latin, Charset.forName("windows-1252"))).isEqualTo("caf\u00e9 ok");
        Path utf16 = Files.write(dir.resolve("w.txt"), "\uFEFFcaf\u00e9\r\nok".getBytes(StandardCharsets.UTF_16LE));
        assertThatThrownBy(() -> TextCorpus.read(utf16)).hasMessageContaining("w.txt").hasMessageContaining("--encoding UTF-16");
        assertThat(TextCorpus.read(utf16, StandardCharsets.UTF_16)).isEqualTo("caf\u00e9\nok");
        Path undefined = Files.write(dir.resolve("u.txt"), new byte[] {'a', 'b', (byte) 0x81, 'c'});   // no character in windows-1252
        assertThatThrownBy(() -> TextCorpus.read(undefined, Charset.forName("windows-1252"))).hasMessageContaining("u.txt")
                .hasMessageContaining("not windows-1252 text").hasMessageContaining("0x81").hasMessageContaining("offset 2");
        assertThatThrownBy(() -> TextCorpus.read(dir.resolve("missing.txt"))).hasMessageContaining("missing.txt");
    }

    @Test
    void charTokensAreCodePointsAndRoundTrip() {
        String text = "a😀b\n";
        List<String> tokens = Tokenizer.CHAR.split(text);
        assertThat(tokens).containsExactly("a", "😀", "b", "\n");
        assertThat(Tokenizer.CHAR.join(tokens)).isEqualTo(text);
    }

    @Test
    void wordTokensKeepPunctuationAndLineBreaks() {
        List<String> tokens = Tokenizer.WORD.split("It's 1851, the whale!\nCall me");
        assertThat(tokens).containsExactly("It's", "1851", ",", "the", "whale", "!", "\n", "Call", "me");
        assertThat(Tokenizer.WORD.join(tokens)).isEqualTo("It's 1851, the whale!\nCall me");
    }

    @Test
    void spacedJoinsOneTokenAtATimeAsJoinDoes() {
        List<String> tokens = Tokenizer.WORD.split("Call me Ishmael. Some years ago,\n never mind (how long)!");
        var streamed = new StringBuilder();
        var spacer = Tokenizer.WORD.spacer("");
        for (String t : tokens) streamed.append(spacer.apply(t));
        assertThat(streamed.toString()).isEqualTo(Tokenizer.WORD.join(tokens))
                .isEqualTo("Call me Ishmael. Some years ago,\nnever mind ( how long)!");
        var afterPrompt = Tokenizer.WORD.spacer("Call me");
        assertThat(afterPrompt.apply("Ishmael") + afterPrompt.apply(".") + afterPrompt.apply("\n") + afterPrompt.apply("Some"))
                .isEqualTo(" Ishmael.\nSome");
        assertThat(Tokenizer.WORD.spaced('e', "whale")).isEqualTo(" whale");
        assertThat(Tokenizer.WORD.spaced(0, "whale")).isEqualTo("whale");
        assertThat(Tokenizer.WORD.spaced('\n', "whale")).isEqualTo("whale");
        assertThat(Tokenizer.CHAR.spaced('e', "w")).isEqualTo("w");
    }

    @Test
    void vocabularyKeepsTheMostFrequentAndMapsTheRestToUnknown() {
        var vocab = Vocabulary.build(List.of("b", "a", "b", "c", "b", "a"), 3);
        assertThat(vocab.symbols()).containsExactly(Vocabulary.UNKNOWN, "b", "a");
        assertThat(vocab.id("c")).isZero();
        assertThat(Tokenizer.CHAR.encode("abz", vocab)).containsExactly(2, 1, 0);
        assertThat(Vocabulary.of(vocab.symbols()).id("a")).isEqualTo(2);
        assertThatThrownBy(() -> Vocabulary.of(List.of("x"))).hasMessageContaining(Vocabulary.UNKNOWN);
    }

    @Test
    void streamChunksContinueEachColumnAcrossChunks() {
        int[] tokens = new int[14];
        for (int i = 0; i < tokens.length; i++) tokens[i] = i;
        var batches = new StreamBatches(tokens, 2, 3);   // columns 0..6 and 7..13
        assertThat(batches.chunks()).isEqualTo(2);
        var c0 = batches.chunk(0);
        assertThat(c0.inputs()).containsExactly(0, 7, 1, 8, 2, 9);
        assertThat(c0.targets()).containsExactly(1, 8, 2, 9, 3, 10);
        var c1 = batches.chunk(1);
        assertThat(c1.steps()).isEqualTo(3);
        assertThat(c1.inputs()).containsExactly(3, 10, 4, 11, 5, 12);
        assertThat(c1.targets()).containsExactly(4, 11, 5, 12, 6, 13);
        assertThat(batches.targetsPerPass()).isEqualTo(12);
        assertThatThrownBy(() -> new StreamBatches(new int[3], 2, 3)).hasMessageContaining("--batch");
    }

    @Test
    void overlappingChunksCountEveryTargetOnceAndCarryFromTheNextChunksStart() {
        int[] tokens = new int[22];
        for (int i = 0; i < tokens.length; i++) tokens[i] = i;
        var batches = new StreamBatches(tokens, 2, 4, 2);   // columns 0..10 and 11..21; windows of 4 every 2 steps
        int ig = StreamBatches.IGNORE;
        var c0 = batches.chunk(0);
        assertThat(c0.targets()).containsExactly(1, 12, 2, 13, 3, 14, 4, 15);
        assertThat(c0.carry()).isEqualTo(2);
        var c1 = batches.chunk(1);                            // steps 2..5; 2 and 3 were counted by chunk 0
        assertThat(c1.inputs()).containsExactly(2, 13, 3, 14, 4, 15, 5, 16);
        assertThat(c1.targets()).containsExactly(ig, ig, ig, ig, 5, 16, 6, 17);
        long counted = 0;
        var seen = new java.util.TreeSet<Integer>();
        for (int c = 0; c < batches.chunks(); c++) {
            for (int t : batches.chunk(c).targets()) {
                if (t != ig) {
                    counted++;
                    assertThat(seen.add(t)).as("target %d counted twice", t).isTrue();
                }
            }
        }
        assertThat(counted).isEqualTo(batches.targetsPerPass());
        assertThatThrownBy(() -> new StreamBatches(tokens, 2, 4, 5)).hasMessageContaining("stride");
    }
}
