package dev.recur.task.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.recur.data.Csv;
import dev.recur.data.InvalidDataException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesReaderTest {
    private static SeriesSpec spec(SeriesSpec.Fill fill, String group, String... targets) {
        return new SeriesSpec(List.of(targets), "date", List.of(), false, group, fill);
    }

    @Test
    void groupsKeepFileOrderAndTheirOwnTimes() {
        var t = Csv.parse("date,store,units\n2024-01-01,a,1\n2024-01-01,b,10\n2024-01-02,a,2\n2024-01-02,b,20\n2024-01-03,a,3\n", ',');
        List<Series> all = SeriesReader.read(t, spec(SeriesSpec.Fill.NONE, "store", "units"), false);
        assertThat(all).extracting(Series::group).containsExactly("a", "b");
        assertThat(all.get(0).values()[0]).containsExactly(1, 2, 3);
        assertThat(all.get(1).values()[0]).containsExactly(10, 20);
        assertThat(all.get(1).lines()).containsExactly(3, 5);
        assertThat(all.get(0).time().label(3)).isEqualTo("2024-01-04");
    }

    @Test
    void gapsAreRefusedWithTheirLineUnlessFilled() {
        String csv = "date,x\n2024-01-01,\n2024-01-02,2\n2024-01-03,NA\n2024-01-04,NaN\n2024-01-05,8\n2024-01-06,\n";
        assertThatThrownBy(() -> SeriesReader.read(Csv.parse(csv, ','), spec(SeriesSpec.Fill.NONE, null, "x"), false))
                .isInstanceOf(InvalidDataException.class).hasMessageContaining(":2:").hasMessageContaining("column \"x\" has no value")
                .hasMessageContaining("--fill");
        assertThat(SeriesReader.read(Csv.parse(csv, ','), spec(SeriesSpec.Fill.PREVIOUS, null, "x"), false).get(0).values()[0])
                .containsExactly(2, 2, 2, 2, 8, 8);
        assertThat(SeriesReader.read(Csv.parse(csv, ','), spec(SeriesSpec.Fill.LINEAR, null, "x"), false).get(0).values()[0])
                .containsExactly(2, 2, 4, 6, 8, 8);
    }

    @Test
    void trailingRowsWithoutTargetsAreTheFutureWhenAskedFor() {
        var t = Csv.parse("date,x,price\n2024-01-01,1,5\n2024-01-02,2,6\n2024-01-03,,7\n2024-01-04,,8\n", ',');
        var spec = new SeriesSpec(List.of("x"), "date", List.of("price"), false, null, SeriesSpec.Fill.NONE);
        Series s = SeriesReader.read(t, spec, true).get(0);
        assertThat(s.length()).isEqualTo(2);
        assertThat(s.future()).isEqualTo(2);
        assertThat(s.covariates()[0]).containsExactly(5, 6, 7, 8);
        assertThatThrownBy(() -> SeriesReader.read(t, spec, false)).hasMessageContaining(":4:");
    }

    @Test
    void badCellsNameFileLineAndColumn() {
        assertThatThrownBy(() -> SeriesReader.read(Csv.parse("date,x\n2024-01-01,1\n2024-01-02,abc\n", ','), spec(SeriesSpec.Fill.LINEAR, null, "x"), false))
                .hasMessageContaining(":3:").hasMessageContaining("column \"x\": \"abc\" is not a number");
        assertThatThrownBy(() -> SeriesReader.read(Csv.parse("date,x\n2024-01-01,1\n2024-01-02,inf\n", ','), spec(SeriesSpec.Fill.NONE, null, "x"), false))
                .hasMessageContaining(":3:").hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> SeriesReader.read(Csv.parse("date,x\n2024-01-01,1\n2024-13-02,2\n", ','), spec(SeriesSpec.Fill.NONE, null, "x"), false))
                .hasMessageContaining(":3:").hasMessageContaining("column \"date\"").hasMessageContaining("not a valid date");
        assertThatThrownBy(() -> SeriesReader.read(Csv.parse("date,x\n2024-01-02,1\n2024-01-01,2\n", ','), spec(SeriesSpec.Fill.NONE, null, "x"), false))
                .hasMessageContaining(":3:").hasMessageContaining("sort the file by time");
        assertThatThrownBy(() -> SeriesReader.read(Csv.parse("date,x\n2024-01-01,1\n", ','), spec(SeriesSpec.Fill.NONE, null, "y"), false))
                .hasMessageContaining(":1:").hasMessageContaining("no column \"y\"");
    }
}
