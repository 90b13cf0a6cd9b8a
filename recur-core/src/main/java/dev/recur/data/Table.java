package dev.recur.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of a CSV or TSV file ({@link Csv}), each addressed by the header's column names and knowing the line it
 * starts on, so a caller that finds a bad value can say where: {@code row.error("unknown label \"maybe\"")}.
 * <pre>
 * Table t = Csv.parse("text,label\n\"Fine, thanks\",pos\n", Csv.COMMA).require("text", "label");
 * t.rows().get(0).get("text");   // "Fine, thanks"
 * t.column("label");             // ["pos"]
 * </pre>
 */
public final class Table {
    private final Path source;
    private final long headerLine;
    private final List<String> columns;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<Row> rows = new ArrayList<>();

    Table(Path source, long headerLine, List<String> columns) {
        this.source = source;
        this.headerLine = headerLine;
        this.columns = List.copyOf(columns);
        for (int i = 0; i < columns.size(); i++) {
            Integer before = index.put(columns.get(i), i);
            if (before != null) {
                throw InvalidDataException.at(source, headerLine, "the header names column \"" + columns.get(i) + "\" twice (columns "
                        + (before + 1) + " and " + (i + 1) + ")");
            }
        }
    }

    void add(long line, String[] values) {
        rows.add(new Row(line, values));
    }

    /** The file (or the name given for a reader) the table was read from. */
    public Path source() {
        return source;
    }

    /** The header's column names, in file order. */
    public List<String> columns() {
        return columns;
    }

    /** The rows after the header, in file order; empty for a header-only file. */
    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    public int size() {
        return rows.size();
    }

    /** This table, after checking that the header names every one of {@code names}. */
    public Table require(String... names) {
        for (String name : names) indexOf(name);
        return this;
    }

    /** Every row's value in column {@code name}, in file order. */
    public List<String> column(String name) {
        int i = indexOf(name);
        var values = new ArrayList<String>(rows.size());
        for (Row r : rows) values.add(r.values[i]);
        return values;
    }

    private int indexOf(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw InvalidDataException.at(source, headerLine, "no column \"" + name + "\"; the header has "
                    + String.join(", ", columns));
        }
        return i;
    }

    /** One record: its values, one per column, and the line it starts on. */
    public final class Row {
        private final long line;
        private final String[] values;

        private Row(long line, String[] values) {
            this.line = line;
            this.values = values;
        }

        /** The value in column {@code name}; a column the header lacks is an error at the header's line. */
        public String get(String name) {
            return values[indexOf(name)];
        }

        /** The value in column {@code i}, from 0. */
        public String get(int i) {
            return values[i];
        }

        public List<String> values() {
            return List.of(values);
        }

        /** The line the record starts on, from 1. */
        public long line() {
            return line;
        }

        /** An error at this row: "{@code file:line: detail}". */
        public InvalidDataException error(String detail) {
            return InvalidDataException.at(source, line, detail);
        }

        @Override
        public String toString() {
            return source + ":" + line + ": " + String.join(" | ", values);
        }
    }
}
