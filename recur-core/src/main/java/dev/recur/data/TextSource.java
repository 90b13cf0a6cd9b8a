package dev.recur.data;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
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
import java.util.zip.ZipException;

/**
 * The characters of a data file, one at a time, with the line they are on: a byte-order mark at the start is
 * dropped, {@code \r\n} and a lone {@code \r} read as {@code \n}, a {@code .gz} file is decompressed, and bytes that
 * do not decode are an {@link InvalidDataException} naming the file and the line they are on (never a replacement
 * character). Shared by the CSV, JSON-lines and CoNLL readers.
 */
final class TextSource implements Closeable {
    private final Path name;
    private final Charset charset;
    private final InputStream bytesIn;   // null when reading a Reader
    private final Reader charsIn;        // null when decoding bytes
    private final CharsetDecoder decoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 13).flip();
    private final CharBuffer chars = CharBuffer.allocate(1 << 13).flip();
    private boolean started, bytesDone, ended;
    private CoderResult error;           // a decoding error met after the characters still in {@code chars}
    private long line = 1;

    private TextSource(Path name, Charset charset, InputStream bytesIn, Reader charsIn) {
        this.name = name;
        this.charset = charset;
        this.bytesIn = bytesIn;
        this.charsIn = charsIn;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Opens {@code file} in {@code charset}, decompressing it when its name ends in {@code .gz}. */
    static TextSource open(Path file, Charset charset) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(file + ": is a folder; give one data file");
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such file");
        }
        if (file.getFileName().toString().endsWith(".gz")) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new IOException(file + ": not a valid gzip file (" + e.getMessage() + ")", e);
            }
        }
        return new TextSource(file, charset, in, null);
    }

    /** Reads {@code reader}; {@code name} stands for it in messages. */
    static TextSource of(Reader reader, Path name) {
        return new TextSource(name, StandardCharsets.UTF_8, null, reader);
    }

    /** The file name without {@code .gz}, for choosing a format by extension. */
    static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }

    Path name() {
        return name;
    }

    /** The line of the next character, from 1. */
    long line() {
        return line;
    }

    InvalidDataException error(long at, String detail) {
        return InvalidDataException.at(name, at, detail);
    }

    /** The next character, line ends as {@code \n}; −1 at the end. */
    int read() throws IOException {
        int c = raw();
        if (c == '\r') {
            if (peek() == '\n') raw();
            c = '\n';
        }
        if (c == '\n') line++;
        return c;
    }

    /** The next line without its end, or null at the end of the text. */
    String readLine() throws IOException {
        int c = read();
        if (c < 0) return null;
        var sb = new StringBuilder();
        while (c >= 0 && c != '\n') {
            sb.append((char) c);
            c = read();
        }
        return sb.toString();
    }

    /** Whether the next character ends a line (false at the end of the text). */
    boolean atLineEnd() throws IOException {
        int c = peek();
        return c == '\n' || c == '\r';
    }

    private int raw() throws IOException {
        int c = peek();
        if (c >= 0) chars.get();
        return c;
    }

    private int peek() throws IOException {
        while (!chars.hasRemaining()) {
            if (ended) return -1;
            fill();
        }
        char c = chars.get(chars.position());
        if (!started) {
            started = true;
            if (c == '\uFEFF') {
                chars.get();
                return peek();
            }
        }
        return c;
    }

    /** Refills {@code chars}; sets {@code ended} when the input is used up (what was decoded last is still served). */
    private void fill() throws IOException {
        chars.clear();
        if (charsIn != null) {
            ended = charsIn.read(chars) < 0;
            chars.flip();
            return;
        }
        if (error != null) throw decodingError();
        while (chars.position() == 0) {
            CoderResult r = decoder.decode(bytes, chars, bytesDone);
            if (r.isError()) error = r;
            if (r.isError() || r.isOverflow()) break;
            if (bytesDone) {                     // underflow at the end: nothing more will come
                decoder.flush(chars);
                ended = true;
                break;
            }
            readBytes();                         // underflow: decode needs more bytes (perhaps the rest of one character)
        }
        chars.flip();
        if (error != null && !chars.hasRemaining()) throw decodingError();
    }

    private void readBytes() throws IOException {
        bytes.compact();
        int n;
        try {
            n = bytesIn.read(bytes.array(), bytes.position(), bytes.remaining());
        } catch (ZipException | EOFException e) {   // only a .gz file's stream throws these
            throw new IOException(name + ": not a valid gzip file (" + e.getMessage() + ")", e);
        }
        if (n < 0) bytesDone = true;
        else bytes.position(bytes.position() + n);
        bytes.flip();
    }

    private InvalidDataException decodingError() {
        int b = bytes.get(bytes.position()) & 0xFF;
        String hint = charset.equals(StandardCharsets.UTF_8)
                ? "If the file is Latin-1 or Windows-1252, read it as that or convert it, e.g. iconv -f windows-1252 -t utf-8"
                : "Name the file's encoding, or convert it to UTF-8 with iconv";
        return error(line, String.format("not %s text: byte 0x%02X does not fit. %s", charset, b, hint));
    }

    @Override
    public void close() throws IOException {
        if (bytesIn != null) bytesIn.close();
        if (charsIn != null) charsIn.close();
    }
}
