package dev.recur.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriteTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileAndLeavesNothingBehind() throws IOException {
        Path file = dir.resolve("a.bin");
        Files.writeString(file, "old");
        AtomicWrite.channel(file, channel -> channel.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8))));
        assertThat(Files.readString(file)).isEqualTo("new");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aFailureLeavesTheOldFileAndNoTemporary() throws IOException {
        Path file = dir.resolve("a.bin");
        Files.writeString(file, "old");
        assertThatThrownBy(() -> AtomicWrite.channel(file, channel -> {
            channel.write(ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            throw new UncheckedIOException(new IOException("disk full"));
        })).hasMessageContaining("disk full");
        assertThat(Files.readString(file)).isEqualTo("old");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void theTemporaryKeepsTheExtensionAndTheFileIsReadableByOthers() throws IOException {
        Path file = dir.resolve("chart.png");
        AtomicWrite.path(file, temp -> {
            assertThat(temp.getFileName().toString()).startsWith(".").endsWith(".chart.png");
            Files.writeString(temp, "png");
        });
        assertThat(Files.readString(file)).isEqualTo("png");
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {   // as any new file: the umask's
            Path ordinary = Files.createFile(dir.resolve("ordinary"));
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(ordinary));
        }
    }

    @Test
    void aMissingFolderIsNamed() {
        assertThatThrownBy(() -> AtomicWrite.channel(dir.resolve("no/such/a.bin"), channel -> {}))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("no such directory");
    }
}
