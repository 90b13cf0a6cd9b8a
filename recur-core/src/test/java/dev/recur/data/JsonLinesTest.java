package dev.recur.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
    @TempDir
    Path dir;

    @Test
    void readsOneObjectPerLineSkippingBlankLines() throws IOException {
        List<JsonLines.Line> lines = JsonLines.read(CsvTest.fixture("reviews.jsonl"));
        assertThat(lines).extracting(JsonLines.Line::line).containsExactly(1L, 3L, 5L);
        assertThat(lines).extracting(l -> l.text("text")).containsExactly("Fine, thanks", "café \"ok\"", "multi\nline");
        assertThat(lines).extracting(l -> l.integer("label")).containsExactly(1, 0, 1);
        assertThat(lines.get(0).strings("tokens")).containsExactly("Fine", ",", "thanks");
        assertThat(lines.get(1).strings("tokens")).isEmpty();
        assertThat(lines.get(1).numbers("x")).containsExactly(0.5f, 2f);
        assertThat(lines.get(1).has("x")).isTrue();
        assertThat(lines.get(0).has("x")).isFalse();
    }

    @Test
    void aMalformedLineIsAnErrorAtItsLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"a\": 1}\r\n\r\n{\"a\": 2,}\r\n");
        assertThatThrownBy(() -> JsonLines.read(bad)).isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("bad.jsonl:3: not valid JSON: ").hasMessageContaining("(column");
        assertThatThrownBy(() -> JsonLines.parse("{\"a\": 1} {\"a\": 2}\n")).hasMessageStartingWith("<text>:1: not valid JSON");
        assertThatThrownBy(() -> JsonLines.parse("{\"a\": 1}\n[1, 2]\n")).hasMessage("<text>:2: expected a JSON object, got an array");
        assertThatThrownBy(() -> JsonLines.parse("{\"a\": \"unterminated\n")).hasMessageStartingWith("<text>:1: not valid JSON");
    }

    @Test
    void aMissingOrMistypedFieldNamesTheFieldAndTheLine() {
        List<JsonLines.Line> lines = JsonLines.parse("{\"id\": 7, \"body\": \"x\"}\n{\"text\": 3, \"tokens\": [\"a\", 1], \"n\": null}\n");
        assertThatThrownBy(() -> lines.get(0).text("text")).isInstanceOf(InvalidDataException.class)
                .hasMessage("<text>:1: no field \"text\"; the object has id, body");
        assertThatThrownBy(() -> lines.get(1).text("text")).hasMessage("<text>:2: field \"text\" holds a number (3); expected a string");
        assertThatThrownBy(() -> lines.get(1).strings("tokens"))
                .hasMessage("<text>:2: field \"tokens[1]\" holds a number (1); expected a string");
        assertThatThrownBy(() -> lines.get(1).get("n")).hasMessageStartingWith("<text>:2: no field \"n\"");
        assertThatThrownBy(() -> lines.get(0).integer("body")).hasMessageContaining("expected an integer");
        assertThat(lines.get(0).number("id")).isEqualTo(7f);
    }
}
