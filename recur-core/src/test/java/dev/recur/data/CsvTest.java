package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(CsvTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsQuotedCommasDoubledQuotesTabsAndLineBreaks() throws IOException {
        Table t = Csv.read(fixture("reviews.csv")).require("text", "label");
        assertThat(t.columns()).containsExactly("id", "text", "label");
        assertThat(t.column("text")).containsExactly("Fine, thanks", "She said \"no\" twice", "tab\there",
                "first line\nsecond line", "plain 12\" pizza", "");
        assertThat(t.column("label")).containsExactly("pos", "neg", "pos", "neg", "pos", "neg");
        assertThat(t.rows()).extracting(Table.Row::line).containsExactly(2L, 3L, 4L, 6L, 8L, 9L);
        assertThat(t.rows().get(3).get(0)).isEqualTo("4");
        assertThat(t.rows().get(3).error("unknown label").getMessage()).endsWith("reviews.csv:6: unknown label");
    }

    @Test
    void skipsTheByteOrderMarkReadsCrlfAndTakesTabsFromTheExtension() throws IOException {
        Path tsv = Files.write(dir.resolve("t.tsv"), "\uFEFFtext\tlabel\r\n\"two\r\nlines, one record\"\t1\r\nsecond\t0\r\n"
                .getBytes(StandardCharsets.UTF_8));
        Table t = Csv.read(tsv);
        assertThat(t.columns()).containsExactly("text", "label");
        assertThat(t.column("text")).containsExactly("two\nlines, one record", "second");
        assertThat(t.rows()).extracting(Table.Row::line).containsExactly(2L, 4L);
        Path gz = dir.resolve("t.csv.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("a,b\n1,\"x\ty\"\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Csv.read(gz).rows().get(0).values()).containsExactly("1", "x\ty");
        assertThat(Csv.read(new StringReader("a;b\n1;2\n"), Path.of("semi.txt"), ';').column("b")).containsExactly("2");
    }

    private static byte[] gzip(String text) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void multiByteCharactersAndCrlfSurviveBufferBoundaries() throws IOException {
        var text = new StringBuilder("a,b\r\n");
        for (int i = 0; i < 5000; i++) text.append(i).append(",é€😀\r\n");
        Path big = Files.writeString(dir.resolve("big.csv"), text);
        Table t = Csv.read(big);
        assertThat(t.size()).isEqualTo(5000);
        assertThat(t.column("b")).containsOnly("é€😀");
        assertThat(t.rows().get(4999).line()).isEqualTo(5001);
        assertThat(Csv.read(new java.io.StringReader(text.toString()), big, Csv.COMMA).column("b")).containsOnly("é€😀");
    }

    @Test
    void aHeaderWithoutRowsIsAnEmptyTableButNoHeaderIsAnError() throws IOException {
        assertThat(Csv.parse("id,text\n", Csv.COMMA).rows()).isEmpty();
        assertThat(Csv.parse("id,text", Csv.COMMA).columns()).containsExactly("id", "text");
        Path empty = Files.write(dir.resolve("empty.csv"), new byte[0]);
        assertThatThrownBy(() -> Csv.read(empty)).isInstanceOf(InvalidDataException.class)
                .hasMessageEndingWith("empty.csv:1: no header row; expected a first line of column names");
        assertThatThrownBy(() -> Csv.parse("\uFEFF\n\n", Csv.COMMA)).hasMessageStartingWith("<text>:1: no header row");
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsAnErrorAtTheLineItStarts() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "id,text,label\n1,ok,pos\n2,\"multi\nline\",neg,extra\n");
        assertThatThrownBy(() -> Csv.read(bad)).isInstanceOf(InvalidDataException.class)
                .hasMessageEndingWith("bad.csv:3: expected 3 fields (as the header: id, text, label), got 4; "
                        + "is a field with the delimiter missing its quotes?");
        assertThatThrownBy(() -> Csv.parse("a,b\n\n\n1\n", Csv.COMMA))
                .hasMessage("<text>:4: expected 2 fields (as the header: a, b), got 1");
    }

    @Test
    void anUnterminatedQuoteIsAnErrorAtItsRecord() throws IOException {
        Path bad = Files.writeString(dir.resolve("open.csv"), "id,text\r\n1,fine\r\n2,\"never closed\r\n3,more\r\n");
        assertThatThrownBy(() -> Csv.read(bad)).isInstanceOf(InvalidDataException.class)
                .hasMessageEndingWith("open.csv:3: field 2: the quote opened on line 3 is never closed; "
                        + "a quote inside a quoted field is written twice (\"\")");
        assertThatThrownBy(() -> Csv.parse("a,b\n1,\"x\"y\n", Csv.COMMA))
                .hasMessageStartingWith("<text>:2: field 2: expected the delimiter or a line end after the closing quote, got 'y'");
    }

    @Test
    void aMissingColumnListsTheHeaderAtItsLine() throws IOException {
        Path file = Files.writeString(dir.resolve("cols.csv"), "\nid,text\n1,x\n");
        Table t = Csv.read(file);
        assertThatThrownBy(() -> t.require("text", "label")).isInstanceOf(InvalidDataException.class)
                .hasMessageEndingWith("cols.csv:2: no column \"label\"; the header has id, text");
        assertThatThrownBy(() -> t.rows().get(0).get("txt")).hasMessageEndingWith("cols.csv:2: no column \"txt\"; the header has id, text");
        assertThatThrownBy(() -> Csv.parse("a,b,a\n", Csv.COMMA))
                .hasMessage("<text>:1: the header names column \"a\" twice (columns 1 and 3)");
    }

    @Test
    void bytesThatAreNotUtf8AreAnErrorAtTheirLine() throws IOException {
        Path latin = Files.write(dir.resolve("latin.csv"), "a,b\n1,ok\n2,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Csv.read(latin)).isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("latin.csv:3: not UTF-8 text: byte 0xE9 does not fit").hasMessageContaining("iconv");
        assertThat(Csv.read(latin, StandardCharsets.ISO_8859_1).column("b")).containsExactly("ok", "caf\u00e9");
        assertThatThrownBy(() -> Csv.read(dir.resolve("missing.csv"))).hasMessageContaining("missing.csv: no such file");
        Path notGzip = Files.writeString(dir.resolve("plain.csv.gz"), "a,b\n1,2\n");
        assertThatThrownBy(() -> Csv.read(notGzip)).hasMessageContaining("plain.csv.gz: not a valid gzip file");
        byte[] gz = gzip("a,b\n" + "1,2\n".repeat(5000));
        Path cut = Files.write(dir.resolve("cut.csv.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> Csv.read(cut)).hasMessageContaining("cut.csv.gz: not a valid gzip file");
    }
}
