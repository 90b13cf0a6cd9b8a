package dev.recur.cli.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.cli.CliRun;
import dev.recur.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnomalyCommandTest {
    @TempDir
    Path dir;

    /** The sensors' test rows: all rows from row 2000 of each of the 4 motes (18,914 − 4 × 2,000). */
    private static final int SENSOR_TEST_ROWS = 10_914;

    @BeforeAll
    static void bundledDataIsOneLevelUp() {
        System.setProperty("recur.home", "..");
    }

    private String[] train(String out, String data, String... extra) {
        var args = new ArrayList<>(List.of("anomaly", "train", "--data", data, "--steps", "30", "--eval-every", "15", "--hidden", "8",
                "--quiet", "--threads", "1", "--out", dir.resolve(out).toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /**
     * Two pumps, 260 rows each, pressure and flow at different levels, a label column; rows 0–149 train, 150–199
     * validation; pump p2 has a spike in pressure at rows 230–232, labelled 1.
     */
    private Path pumps(String name, String badLabel) throws Exception {
        var csv = new StringBuilder("time,pump,pressure,flow,label\n");
        var rng = new java.util.Random(4);
        for (String pump : new String[] {"p1", "p2"}) {
            double level = pump.equals("p1") ? 5 : 50;
            for (int t = 0; t < 260; t++) {
                double pressure = level * (1 + 0.2 * Math.sin(2 * Math.PI * t / 16)) + level * 0.01 * rng.nextGaussian();
                double flow = level * 0.3 * (1 + 0.1 * Math.cos(2 * Math.PI * t / 10)) + level * 0.005 * rng.nextGaussian();
                boolean event = pump.equals("p2") && t >= 230 && t < 233;
                if (event) pressure += level;
                String label = event ? "1" : badLabel != null && pump.equals("p1") && t == 240 ? badLabel : "0";
                csv.append(t).append(',').append(pump).append(',').append(String.format(Locale.ROOT, "%.4f,%.4f", pressure, flow)).append(',').append(label).append('\n');
            }
        }
        return Files.writeString(dir.resolve(name), csv.toString());
    }

    @Test
    void trainsOnSensorsThenEvaluatesAndDetects() throws Exception {
        var r = CliRun.run("", train("s.safetensors", "sensors"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("threshold max:1.1: ");
        String model = dir.resolve("s.safetensors").toString();
        for (String suffix : new String[] {"", ".ckpt", ".metrics.jsonl", ".loss.png"}) assertThat(Path.of(model + suffix)).isNotEmptyFile();

        var eval = CliRun.run("", "anomaly", "eval", "--model", model, "--data", "sensors", "--label-column", "label", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("rows").asLong()).isEqualTo(SENSOR_TEST_ROWS);
        for (String key : new String[] {"precision", "recall", "f1"}) assertThat(json.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
        assertThat(json.get("events").asInt()).isEqualTo(2);
        assertThat(json.get("events_detected").asInt()).isBetween(0, 2);
        var text = CliRun.run("", "anomaly", "eval", "--model", model, "--data", "sensors", "--label-column", "label");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("10,914 rows from row 2000 of each group: precision ")
                .contains("events detected: " + json.get("events_detected").asInt() + " of 2");

        var detect = CliRun.run("", "anomaly", "detect", "--model", model, "--data", "sensors", "--from-row", "2000", "--plot", dir.resolve("m.png").toString());
        assertThat(detect.code()).as(detect.err()).isZero();
        String[] lines = detect.out().strip().split("\n");
        assertThat(lines[0]).isEqualTo("reading,mote_id,indoor,humidity,temperature,label,score,anomaly");
        assertThat(lines).hasSize(1 + SENSOR_TEST_ROWS);
        for (int i = 1; i < lines.length; i += 997) {
            String[] cells = lines[i].split(",", -1);
            assertThat(cells).as(lines[i]).hasSize(8);
            assertThat(Double.parseDouble(cells[6])).as(lines[i]).isFinite();
            assertThat(cells[7]).isIn("0", "1");
        }
        assertThat(dir.resolve("m.png")).isNotEmptyFile();

        var none = CliRun.run("", "anomaly", "detect", "--model", model, "--data", "sensors", "--from-row", "2000", "--threshold-value", "1e30");
        assertThat(none.code()).as(none.err()).isZero();
        String[] all = none.out().strip().split("\n");
        assertThat(all).hasSize(1 + SENSOR_TEST_ROWS);
        for (int i = 1; i < all.length; i++) assertThat(all[i]).as("row %d", i).endsWith(",0");

        var evalNone = CliRun.run("", "anomaly", "eval", "--model", model, "--data", "sensors", "--label-column", "label", "--threshold-value", "1e30", "--json");
        JsonNode j2 = new ObjectMapper().readTree(evalNone.out());
        assertThat(j2.get("recall").asDouble()).isZero();
        assertThat(j2.get("events_detected").asInt()).isZero();
    }

    @Test
    void aUserFileWithGroups() throws Exception {
        Path data = pumps("pumps.csv", null);
        String model = dir.resolve("p.safetensors").toString();
        var r = CliRun.run("", train("p.safetensors", data.toString(), "--columns", "pressure,flow", "--group-column", "pump",
                "--train-rows", "0:150", "--valid-rows", "150:200", "--context", "12", "--steps", "200", "--eval-every", "100", "--dropout", "0"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("threshold max:1.1: ");

        var eval = CliRun.run("", "anomaly", "eval", "--model", model, "--data", data.toString(), "--label-column", "label", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(eval.out());
        assertThat(json.get("rows").asLong()).isEqualTo(2 * 60);   // rows 200–259 of each pump
        assertThat(json.get("events").asInt()).isEqualTo(1);
        assertThat(json.get("events_detected").asInt()).as(eval.out()).isEqualTo(1);

        var detect = CliRun.run("", "anomaly", "detect", "--model", model, "--data", data.toString(), "--group", "p2", "--plot", dir.resolve("p2.png").toString());
        assertThat(detect.code()).as(detect.err()).isZero();
        String[] lines = detect.out().strip().split("\n");
        assertThat(lines[0]).isEqualTo("time,pump,pressure,flow,label,score,anomaly");
        assertThat(lines).hasSize(1 + 2 * 260);
        assertThat(lines[1]).as("the first rows only give context").startsWith("0,p1,").endsWith(",,0");
        assertThat(dir.resolve("p2.png")).isNotEmptyFile();

        // the dynamic rule has no threshold until it judges a series
        String dynamic = dir.resolve("d.safetensors").toString();
        var d = CliRun.run("", train("d.safetensors", data.toString(), "--columns", "pressure,flow", "--group-column", "pump",
                "--train-rows", "0:150", "--valid-rows", "150:200", "--context", "12", "--steps", "5", "--method", "reconstruction", "--threshold", "dynamic"));
        assertThat(d.code()).as(d.err()).isZero();
        assertThat(d.out()).startsWith("threshold dynamic: set on the scores of each series judged").doesNotContain("NaN");
        var evalDynamic = CliRun.run("", "anomaly", "eval", "--model", dynamic, "--data", data.toString(), "--label-column", "label", "--json");
        assertThat(evalDynamic.code()).as(evalDynamic.err()).isZero();
        assertThat(new ObjectMapper().readTree(evalDynamic.out()).get("rows").asLong()).isEqualTo(2 * 60);
    }

    @Test
    void badInputGetsOneLineAndExitTwo() throws Exception {
        Path data = pumps("pumps.csv", null);
        Path twos = pumps("twos.csv", "2");
        String[] fileArgs = {"--group-column", "pump", "--train-rows", "0:150", "--valid-rows", "150:200", "--context", "8", "--steps", "5", "--hidden", "4"};
        String model = dir.resolve("p.safetensors").toString();
        var ok = CliRun.run("", train("p.safetensors", data.toString(), concat(fileArgs, "--columns", "pressure,flow")));
        assertThat(ok.code()).as(ok.err()).isZero();
        var sun = CliRun.run("", "forecast", "train", "--data", "sunspots", "--steps", "5", "--hidden", "4", "--quiet", "--threads", "1",
                "--out", dir.resolve("sun.safetensors").toString());
        assertThat(sun.code()).as(sun.err()).isZero();

        String[][] cases = {
                train("m.safetensors", data.toString(), fileArgs),
                train("m.safetensors", data.toString(), "--columns", "pressure", "--group-column", "pump", "--train-rows", "10-20", "--valid-rows", "150:200"),
                train("m.safetensors", data.toString(), concat(fileArgs, "--columns", "pressure,speed")),
                {"anomaly", "eval", "--model", model, "--data", twos.toString(), "--label-column", "label"},
                {"anomaly", "eval", "--model", dir.resolve("sun.safetensors").toString(), "--data", "sensors", "--label-column", "label"},
                {"anomaly", "detect", "--model", model, "--data", data.toString(), "--group", "p9", "--plot", dir.resolve("p9.png").toString()},
        };
        String[] expected = {"--columns", "--train-rows takes a row range A:B", "no column \"speed\"", "twos.csv:242: column \"label\": labels are 0 or 1",
                "not an anomaly detector", "--group p9 names no group"};
        for (int i = 0; i < cases.length; i++) {
            var r = CliRun.run("", cases[i]);
            assertThat(r.code()).as(String.join(" ", cases[i]) + "\n" + r.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err().strip().split("\n")).as(r.err()).hasSize(1);
            assertThat(r.err()).contains(expected[i]);
            assertThat(r.out()).as(String.join(" ", cases[i])).isEmpty();
        }
        assertThat(dir.resolve("m.safetensors")).doesNotExist();
        assertThat(dir.resolve("p9.png")).doesNotExist();
    }

    private static String[] concat(String[] a, String... b) {
        var all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
