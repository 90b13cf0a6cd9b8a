package dev.recur.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads a text corpus: a UTF-8 file, or a gzip-compressed one ({@code .gz}). Rejects what is not text with the
 * file and the reason: an empty file, bytes that are not UTF-8 (with the offset and a hint about the encoding),
 * NUL bytes (a binary file). A byte-order mark is dropped and line ends are normalised to {@code \n}.
 */
public final class TextCorpus {
    private TextCorpus() {}

    public static String read(Path path) throws IOException {
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
        return decode(path.toString(), bytes);
    }

    /** Decodes UTF-8 strictly; {@code name} is used in messages. */
    public static String decode(String name, byte[] bytes) throws IOException {
        if (bytes.length == 0) throw new IOException(name + ": the file is empty; expected UTF-8 text");
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out;
        try {
            out = decoder.decode(in);
        } catch (MalformedInputException e) {
            int at = findBadByte(bytes);
            throw new IOException(String.format("%s: not UTF-8 text: byte 0x%02X at offset %d does not fit. "
                    + "If the file is Latin-1 or Windows-1252, convert it first, e.g. iconv -f latin1 -t utf-8",
                    name, bytes[at] & 0xFF, at), e);
        } catch (CharacterCodingException e) {
            throw new IOException(name + ": not UTF-8 text (" + e + ")", e);
        }
        String text = out.toString();
        int nul = text.indexOf('\0');
        if (nul >= 0) throw new IOException(name + ": holds a NUL character at offset " + nul + "; this looks like a binary file, not text");
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        text = text.replace("\r\n", "\n");
        if (text.isBlank()) throw new IOException(name + ": holds only white space; expected text");
        return text;
    }

    private static int findBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : 0;
    }
}
