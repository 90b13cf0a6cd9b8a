package dev.recur.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads a text corpus: a UTF-8 file (or one in a named encoding), or a gzip-compressed one ({@code .gz}). Rejects
 * what is not text with the file and the reason: an empty file, bytes that do not decode (with the offset and a hint
 * about the encoding), NUL bytes (a binary file). A byte-order mark is dropped and line ends are normalised to
 * {@code \n}.
 */
public final class TextCorpus {
    private TextCorpus() {}

    public static String read(Path path) throws IOException {
        return read(path, StandardCharsets.UTF_8);
    }

    /** Reads {@code path} in {@code encoding}, e.g. windows-1252 for an old Western European text. */
    public static String read(Path path, Charset encoding) throws IOException {
        if (Files.isDirectory(path)) throw new IOException(path + ": is a folder; give one text file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path + ": no such file");
        }
        if (path.getFileName().toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new IOException(path + ": not a valid gzip file (" + e.getMessage() + ")", e);
            }
        }
        return decode(path.toString(), bytes, encoding);
    }

    /** Decodes UTF-8 strictly; {@code name} is used in messages. */
    public static String decode(String name, byte[] bytes) throws IOException {
        return decode(name, bytes, StandardCharsets.UTF_8);
    }

    /** Decodes {@code encoding} strictly: a byte sequence it does not define is an error, not a replacement character. */
    public static String decode(String name, byte[] bytes, Charset encoding) throws IOException {
        if (bytes.length == 0) throw new IOException(name + ": the file is empty; expected " + encoding + " text");
        CharsetDecoder decoder = encoding.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate((int) Math.ceil(bytes.length * (double) decoder.maxCharsPerByte()) + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        if (result.isError()) {
            int at = Math.min(in.position(), bytes.length - 1);
            boolean utf16 = bytes.length >= 2 && ((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE
                    || (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF);
            String hint = utf16 ? "It starts with a UTF-16 byte-order mark: read it as UTF-16 (recur: --encoding UTF-16)"
                    : encoding.equals(StandardCharsets.UTF_8)
                    ? "If the file is Latin-1 or Windows-1252, read it as that (recur: --encoding windows-1252) or convert it, "
                            + "e.g. iconv -f windows-1252 -t utf-8"
                    : "Name the file's encoding, or convert it to UTF-8 with iconv";
            throw new IOException(String.format("%s: not %s text: byte 0x%02X at offset %d does not fit. %s",
                    name, encoding, bytes[at] & 0xFF, at, hint));
        }
        String text = out.flip().toString();
        int nul = text.indexOf('\0');
        if (nul >= 0) throw new IOException(name + ": holds a NUL character at offset " + nul + "; this looks like a binary file, not text");
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        text = text.replace("\r\n", "\n");
        if (text.isBlank()) throw new IOException(name + ": holds only white space; expected text");
        return text;
    }
}
