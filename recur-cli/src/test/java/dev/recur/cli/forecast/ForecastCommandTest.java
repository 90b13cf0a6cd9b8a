package dev.recur.cli.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.CliRun;
import dev.recur.cli.ExitCodes;
import dev.recur.task.Models;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForecastCommandTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void bundledDataIsOneLevelUp() {
        System.setProperty("recur.home", "..");
    }

    private String[] train(String out, String data, String... extra) {
        var args = new ArrayList<>(List.of("forecast", "train", "--data", data, "--hidden", "8", "--steps", "40", "--eval-every", "20",
                "--quiet", "--threads", "1", "--out", dir.resolve(out).toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Two stores, daily, with a price known in advance; the last two days of each store's file are the future. */
    private Path sales(boolean future) throws Exception {
        var csv = new StringBuilder("date,store,units,price\n");
        for (String store : new String[] {"north", "south"}) {
            for (int d = 0; d < 120 + (future ? 2 : 0); d++) {
                var date = java.time.LocalDate.of(2024, 1, 1).plusDays(d);
                double price = 10 + (d % 9 == 0 ? -2 : 0);
                String units = d >= 120 ? "" : String.format(java.util.Locale.ROOT, "%.1f", (store.equals("north") ? 50 : 80) + 10 * Math.sin(d * 2 * Math.PI / 7) - 3 * price + d % 5);
                csv.append(date).append(',').append(store).append(',').append(units).append(',').append(price).append('\n');
            }
        }
        return Files.writeString(dir.resolve(future ? "sales-future.csv" : "sales.csv"), csv.toString());
    }

    @Test
    void trainsOnABundledSetThenEvaluatesAndPredicts() throws Exception {
        var r = CliRun.run("", train("sun.safetensors", "sunspots", "--season", "11"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("backtest: 67 origins, horizon 1, 67 scored points").contains("seasonal naive");
        String model = dir.resolve("sun.safetensors").toString();
        for (String suffix : new String[] {"", ".ckpt", ".metrics.jsonl", ".loss.png"}) assertThat(Path.of(model + suffix)).isNotEmptyFile();

        var eval = CliRun.run("", "forecast", "eval", "--model", model, "--data", "sunspots", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("origins").asInt()).isEqualTo(67);
        assertThat(json.get("horizon").asInt()).isEqualTo(1);
        assertThat(json.get("baselines").get("naive").get("rmse").asDouble()).isCloseTo(Math.sqrt(920.7), org.assertj.core.data.Offset.offset(0.01));
        assertThat(json.get("baselines").has("seasonal_naive")).isTrue();
        for (String key : new String[] {"mae", "rmse", "mape", "smape", "mase"}) assertThat(json.get(key).isNumber()).as(key).isTrue();
        assertThat(json.has("coverage_80")).as("a point model has no interval").isFalse();

        var shorter = CliRun.run("", "forecast", "eval", "--model", model, "--data", "sunspots", "--test-size", "10", "--season", "0", "--json");
        var j2 = new ObjectMapper().readTree(shorter.out());
        assertThat(j2.get("origins").asInt()).isEqualTo(10);
        assertThat(j2.get("baselines").has("seasonal_naive")).isFalse();

        var predict = CliRun.run("", "forecast", "predict", "--model", model, "--data", "sunspots", "--horizon", "3", "--plot", dir.resolve("p.png").toString());
        assertThat(predict.code()).as(predict.err()).isZero();
        assertThat(predict.out().strip().split("\n")).hasSize(4).startsWith("year,target,mean");
        assertThat(predict.out()).contains("\n1988,sunspots,").contains("\n1990,sunspots,");
        assertThat(dir.resolve("p.png")).isNotEmptyFile();
    }

    @Test
    void trainsAnAutoregressiveStudentTModelThenEvaluatesAndPredicts() throws Exception {
        String model = dir.resolve("ar.safetensors").toString();
        var r = CliRun.run("", "forecast", "train", "--data", "sunspots", "--decoder", "autoregressive", "--likelihood", "student-t", "--steps", "30",
                "--hidden", "8", "--quiet", "--threads", "1", "--out", model);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("backtest: 67 origins, horizon 1, 67 scored points");
        assertThat(Models.open(Path.of(model), Forecaster.class).config().decoder()).isEqualTo(ForecasterConfig.Decoder.AUTOREGRESSIVE);

        var eval = CliRun.run("", "forecast", "eval", "--model", model, "--data", "sunspots", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("origins").asInt()).isEqualTo(67);
        assertThat(json.get("coverage_80").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("mase").isNumber()).isTrue();

        var predict = CliRun.run("", "forecast", "predict", "--model", model, "--data", "sunspots", "--horizon", "3");
        assertThat(predict.code()).as(predict.err()).isZero();
        var lines = predict.out().strip().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).isEqualTo("year,target,mean,q0.1,q0.5,q0.9");
        for (int i = 1; i < 4; i++) {
            String[] cells = lines[i].split(",");
            assertThat(Float.parseFloat(cells[3])).as(lines[i]).isLessThanOrEqualTo(Float.parseFloat(cells[4])).isFinite();
            assertThat(Float.parseFloat(cells[4])).as(lines[i]).isLessThanOrEqualTo(Float.parseFloat(cells[5]));
        }
        assertThat(predict.out()).contains("\n1988,sunspots,").contains("\n1990,sunspots,");
    }

    @Test
    void groupsCovariatesCalendarAndQuantilesFromAUserFile() throws Exception {
        Path data = sales(false);
        var r = CliRun.run("", train("sales.safetensors", data.toString(), "--target", "units", "--group-column", "store", "--covariates", "price",
                "--calendar", "--horizon", "2", "--test-size", "14", "--quantiles", "0.1,0.5,0.9"));
        assertThat(r.code()).as(r.err()).isZero();
        String model = dir.resolve("sales.safetensors").toString();
        var eval = CliRun.run("", "forecast", "eval", "--model", model, "--data", data.toString(), "--json");
        var json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("origins").asInt()).isEqualTo(2 * 14);
        assertThat(json.get("coverage_80").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("quantile_loss").isNumber()).isTrue();

        var noFuture = CliRun.run("", "forecast", "predict", "--model", model, "--data", data.toString());
        assertThat(noFuture.code()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(noFuture.err()).contains("needs their values").contains("price");
        var predict = CliRun.run("", "forecast", "predict", "--model", model, "--data", sales(true).toString());
        assertThat(predict.code()).as(predict.err()).isZero();
        var lines = predict.out().strip().split("\n");
        assertThat(lines[0]).isEqualTo("store,date,target,mean,q0.1,q0.5,q0.9");
        assertThat(lines).hasSize(1 + 2 * 2);
        assertThat(lines[1]).startsWith("north,2024-04-30,units,");
        assertThat(lines[4]).startsWith("south,2024-05-01,units,");
    }

    @Test
    void badInputGetsOneLineAndExitTwo() throws Exception {
        Path data = sales(false);
        Path text = Files.writeString(dir.resolve("bad.csv"), "date,units\n2024-01-01,3\n2024-01-02,three\n");
        Path flat = Files.writeString(dir.resolve("flat.csv"), "t,y\n" + "1,5\n".repeat(0) + java.util.stream.IntStream.range(0, 100).mapToObj(i -> i + ",5\n").reduce("", String::concat));
        Path nan = Files.writeString(dir.resolve("nan.csv"), "t,y\n1,1\n2,NaN\n3,2\n");
        String[][] cases = {
                train("m.safetensors", data.toString(), "--target", "revenue"),
                train("m.safetensors", text.toString()),
                train("m.safetensors", flat.toString()),
                train("m.safetensors", nan.toString(), "--test-size", "1"),
                train("m.safetensors", data.toString(), "--target", "units", "--group-column", "store", "--context", "500"),
                train("m.safetensors", data.toString(), "--target", "units", "--time-column", "store", "--group-column", "store"),
                train("m.safetensors", data.toString(), "--target", "units", "--group-column", "store", "--decoder", "sideways"),
                {"forecast", "eval", "--model", dir.resolve("missing.safetensors").toString(), "--data", "sunspots"},
        };
        String[] expected = {"no column \"revenue\"", "\"three\" is not a number", "never changes", "has no value", "too few points",
                "is neither a number nor an ISO date", "--decoder must be direct or autoregressive, got sideways", "missing.safetensors"};
        for (int i = 0; i < cases.length; i++) {
            var r = CliRun.run("", cases[i]);
            assertThat(r.code()).as(String.join(" ", cases[i]) + "\n" + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err().strip().split("\n")).as(r.err()).hasSize(1);
            assertThat(r.err()).contains(expected[i]);
        }
        assertThat(Path.of(dir.resolve("m.safetensors").toString())).doesNotExist();
    }
}
