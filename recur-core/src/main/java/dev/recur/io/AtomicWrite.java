package dev.recur.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a reader sees the old file or the whole new one, never part of it: the contents go to a
 * temporary file beside it (an ordinary file, with the umask's permissions, named {@code .HEX.NAME} so that it
 * keeps the target's extension), which is synced and moved over the target; the folder is then synced. On any
 * failure the temporary file is deleted and an existing target is left as it was.
 * <pre>
 * AtomicWrite.channel(path, channel -> channel.write(ByteBuffer.wrap(bytes)));
 * AtomicWrite.path(png, temp -> BitmapEncoder.saveBitmap(chart, temp.toString(), PNG));
 * </pre>
 */
public final class AtomicWrite {
    private AtomicWrite() {}

    /** What fills the temporary file through a channel; the channel is synced and closed after it. */
    public interface ChannelBody {
        void write(FileChannel channel) throws IOException;
    }

    /** What fills the temporary file, given its path (for libraries that open files themselves). */
    public interface PathBody {
        void write(Path temp) throws IOException;
    }

    /** Writes {@code file} through a channel; its folder must exist. */
    public static void channel(Path file, ChannelBody body) throws IOException {
        path(file, temp -> {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                body.write(channel);
                channel.force(true);
            }
        });
    }

    /** Writes {@code file} by whatever {@code body} writes to the temporary path it is given; the folder must exist. */
    public static void path(Path file, PathBody body) throws IOException {
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        if (!Files.isDirectory(directory)) throw new NoSuchFileException(file + ": no such directory " + directory);
        Path temp = createTemporary(directory, target.getFileName().toString());
        try {
            body.write(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        syncDirectory(directory);
    }

    private static Path createTemporary(Path directory, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = directory.resolve("." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "." + name);
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw e;
            }
        }
    }

    /** Makes the rename durable; not every platform can sync a directory, and there the move alone must do. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; the file's contents were synced before the move.
        }
    }
}
