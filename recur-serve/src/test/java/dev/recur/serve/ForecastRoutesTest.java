package dev.recur.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.cli.anomaly.AnomalyCommand;
import dev.recur.cli.forecast.ForecastPredictCommand;
import dev.recur.data.Csv;
import dev.recur.io.ModelFile;
import dev.recur.nn.CellType;
import dev.recur.task.Models;
import dev.recur.task.anomaly.AnomalyConfig;
import dev.recur.task.anomaly.AnomalyDetector;
import dev.recur.task.anomaly.ThresholdRule;
import dev.recur.task.forecast.Forecaster;
import dev.recur.task.forecast.ForecasterConfig;
import dev.recur.task.forecast.Series;
import dev.recur.task.forecast.SeriesReader;
import dev.recur.task.forecast.SeriesSpec;
import dev.recur.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Forecasters and anomaly detectors answer predict (and a forecaster its sessions) as their commands do. */
@Timeout(60)
class ForecastRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path seasonal, covariates, detector;
    static Server server;
    static String base;

    /** A one-target Gaussian forecaster (context 8, horizon 3, season 4, numbered time column), untrained. */
    @BeforeAll
    static void start() throws Exception {
        var spec = new SeriesSpec(List.of("y"), "t", List.of(), false, null, SeriesSpec.Fill.NONE);
        var c = new ForecasterConfig(spec, 8, 3, 4, ForecasterConfig.Scaling.MEAN_ABS, ForecasterConfig.Head.GAUSSIAN, new float[] {0.1f, 0.5f, 0.9f},
                ForecasterConfig.Decoder.DIRECT, CellType.LSTM, 8, 1, 0f, 1, 1, 1);
        var f = new Forecaster(c, new Forecaster.Normalisation(new float[0], new float[0], new float[] {10f}, 0), new Rng(1));
        seasonal = dir.resolve("seasonal.safetensors");
        ModelFile.write(seasonal, f.configJson(), f.stateDict());

        var spec2 = new SeriesSpec(List.of("a", "b"), "date", List.of("x"), true, null, SeriesSpec.Fill.NONE);
        var c2 = new ForecasterConfig(spec2, 6, 2, 0, ForecasterConfig.Scaling.STANDARD, ForecasterConfig.Head.MSE, null,
                ForecasterConfig.Decoder.DIRECT, CellType.GRU, 6, 1, 0f, 1, 1, 1);
        var f2 = new Forecaster(c2, new Forecaster.Normalisation(new float[] {1f}, new float[] {2f}, new float[] {5f, 3f}, 11), new Rng(2));
        covariates = dir.resolve("covariates.safetensors");
        ModelFile.write(covariates, f2.configJson(), f2.stateDict());

        var spec3 = new SeriesSpec(List.of("h", "temp"), null, List.of(), false, null, SeriesSpec.Fill.NONE);
        var c3 = new AnomalyConfig(spec3, AnomalyConfig.Method.FORECAST, 4, CellType.LSTM, 6, 1, 0f, new int[] {0, 40}, new int[] {40, 60}, 2,
                ThresholdRule.parse("quantile:0.9"));
        var training = sensor(60, -1);
        var d = AnomalyDetector.create(c3, List.of(training), new Rng(3));
        d.calibrate(List.of(training));
        detector = dir.resolve("detector.safetensors");
        ModelFile.write(detector, d.configJson(), d.stateDict());

        var models = new LinkedHashMap<String, ServedModel>();
        models.put("seasonal", new ServedModel("seasonal", Models.open(seasonal)));
        models.put("covariates", new ServedModel("covariates", Models.open(covariates)));
        models.put("detector", new ServedModel("detector", Models.open(detector)));
        server = Server.start(models, new Server.Options("127.0.0.1", 0, 1 << 20, null, 10, Duration.ofMinutes(1)));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
    }

    static ServerTest.Reply post(String path, Object body) throws Exception {
        return ServerTest.send(base, "POST", path, body instanceof String s ? s : JSON.writeValueAsString(body));
    }

    private static double y(int t) {
        return 10 + 3 * Math.sin(t * Math.PI / 2) + 0.1 * t;
    }

    /** Two columns over {@code rows} rows; row {@code spike} far off. */
    private static Series sensor(int rows, int spike) {
        float[][] v = new float[2][rows];
        for (int t = 0; t < rows; t++) {
            v[0][t] = (float) (40 + 2 * Math.sin(t / 3.0) + (t == spike ? 30 : 0));
            v[1][t] = (float) (20 + Math.cos(t / 5.0));
        }
        return new Series("", v, new float[0][], null, LongStream.range(0, rows).toArray());
    }

    /** The series {@code recur forecast predict --data FILE} reads from {@code csv}. */
    private static Series read(Path model, String csv) throws Exception {
        Path file = Files.writeString(dir.resolve("data.csv"), csv);
        return SeriesReader.read(Csv.read(file), Models.open(model, Forecaster.class).config().spec(), true).get(0);
    }

    @Test
    void forecastEqualsTheCommandsPastTheModelsHorizon() throws Exception {
        var csv = new StringBuilder("t,y\n");
        ObjectNode body = JSON.createObjectNode().put("horizon", 5);
        ArrayNode history = body.putArray("history"), time = body.putArray("time");
        for (int t = 0; t < 20; t++) {
            csv.append(1990 + t).append(',').append((float) y(t)).append('\n');
            history.add((float) y(t));
            time.add(1990 + t);
        }
        Forecaster f = Models.open(seasonal, Forecaster.class);
        var expected = ForecastPredictCommand.forecast(f, read(seasonal, csv.toString()), 5);

        ServerTest.Reply r = post("/v1/models/seasonal/predict", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode forecast = r.json().get("forecast");
        assertThat(forecast).hasSize(5);
        for (int step = 0; step < 5; step++) {
            JsonNode p = forecast.get(step);
            assertThat(p.get("step").asInt()).isEqualTo(step + 1);
            assertThat(p.get("time").asText()).isEqualTo(Integer.toString(2010 + step));
            assertThat(p.get("target").asText()).isEqualTo("y");
            assertThat((float) p.get("mean").asDouble()).isEqualTo(expected.mean()[step][0]);
            assertThat((float) p.get("q0.1").asDouble()).isEqualTo(expected.quantiles()[0][step][0]);
            assertThat((float) p.get("q0.9").asDouble()).isEqualTo(expected.quantiles()[2][step][0]);
        }
        body.remove("time");
        ServerTest.Reply untimed = post("/v1/models/seasonal/predict", body);
        assertThat(untimed.json().get("forecast").get(0).has("time")).isFalse();
        assertThat(untimed.json().get("forecast").get(4).get("mean")).isEqualTo(forecast.get(4).get("mean"));
    }

    @Test
    void severalTargetsWithCovariatesAndCalendar() throws Exception {
        var csv = new StringBuilder("date,a,b,x\n");
        ObjectNode body = JSON.createObjectNode();
        ArrayNode history = body.putArray("history"), time = body.putArray("time");
        ArrayNode x = body.putObject("covariates").putArray("x");
        LocalDate day = LocalDate.of(2024, 1, 1);
        for (int t = 0; t < 14; t++) {
            float a = (float) y(t), b = (float) (3 + Math.cos(t)), cov = t % 7 == 5 ? 1f : 0f;
            time.add(day.plusDays(t).toString());
            x.add(cov);
            if (t < 12) {
                csv.append(day.plusDays(t)).append(',').append(a).append(',').append(b).append(',').append(cov).append('\n');
                history.addArray().add(a).add(b);
            } else {
                csv.append(day.plusDays(t)).append(",,,").append(cov).append('\n');
            }
        }
        Forecaster f = Models.open(covariates, Forecaster.class);
        var expected = ForecastPredictCommand.forecast(f, read(covariates, csv.toString()), 2);

        ServerTest.Reply r = post("/v1/models/covariates/predict", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode forecast = r.json().get("forecast");
        assertThat(forecast).hasSize(4);
        assertThat(forecast.get(3).get("time").asText()).isEqualTo("2024-01-14");
        assertThat(forecast.get(3).get("target").asText()).isEqualTo("b");
        for (int i = 0; i < 4; i++) assertThat((float) forecast.get(i).get("mean").asDouble()).isEqualTo(expected.mean()[i / 2][i % 2]);

        ObjectNode noCovariates = body.deepCopy();
        noCovariates.remove("covariates");
        assertThat(post("/v1/models/covariates/predict", noCovariates).json().get("error").asText()).contains("covariates x");
        ObjectNode noTime = body.deepCopy();
        noTime.remove("time");
        assertThat(post("/v1/models/covariates/predict", noTime).json().get("error").asText()).contains("\"time\"");
        ObjectNode tooFar = body.deepCopy().put("horizon", 3);
        assertThat(post("/v1/models/covariates/predict", tooFar).status()).isEqualTo(400);
    }

    @Test
    void badHistoriesAnswer400() throws Exception {
        assertThat(post("/v1/models/seasonal/predict", "{\"history\": [1, 2, 3]}").json().get("error").asText()).contains("reads 12");
        String twelve = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ";
        assertThat(post("/v1/models/seasonal/predict", "{\"history\": [" + twelve + "\"NaN\"]}").status()).isEqualTo(400);
        assertThat(post("/v1/models/seasonal/predict", "{\"history\": [" + twelve + "NaN]}").status()).isEqualTo(400);
        assertThat(post("/v1/models/seasonal/predict", "{\"history\": [" + twelve + "[1, 2]]}").status()).isEqualTo(400);
        assertThat(post("/v1/models/seasonal/predict", "{\"history\": [" + twelve + "12], \"horizon\": 0}").status()).isEqualTo(400);
        assertThat(post("/v1/models/covariates/predict", "{\"history\": [1, 2, 3, 4, 5, 6, 7]}").json().get("error").asText()).contains("a, b");
    }

    @Test
    void aSessionForecastsFromTheNewEndOfItsSeries() throws Exception {
        ArrayNode first = JSON.createArrayNode(), rest = JSON.createArrayNode(), all = JSON.createArrayNode();
        for (int t = 0; t < 16; t++) {
            (t < 10 ? first : rest).add((float) y(t));
            all.add((float) y(t));
        }
        ServerTest.Reply open = post("/v1/models/seasonal/sessions", JSON.createObjectNode().set("history", first));
        assertThat(open.status()).as(open.body()).isEqualTo(201);
        String steps = "/v1/sessions/" + open.json().get("session").asText() + "/step";

        ServerTest.Reply early = post(steps, JSON.createObjectNode().set("values", JSON.createArrayNode().add(rest.get(0))));
        assertThat(early.status()).as(early.body()).isEqualTo(200);
        assertThat(early.json().get("points").asInt()).isEqualTo(11);
        assertThat(early.json().get("forecast").isNull()).isTrue();

        var more = JSON.createArrayNode();
        for (int i = 1; i < rest.size(); i++) more.add(rest.get(i));
        ServerTest.Reply step = post(steps, JSON.createObjectNode().set("values", more));
        assertThat(step.status()).as(step.body()).isEqualTo(200);
        ServerTest.Reply whole = post("/v1/models/seasonal/predict", JSON.createObjectNode().set("history", all));
        assertThat(step.json().get("points").asInt()).isEqualTo(16);
        assertThat(step.json().get("forecast")).isEqualTo(whole.json().get("forecast"));

        ObjectNode timed = JSON.createObjectNode();
        timed.set("history", first);
        ArrayNode times = timed.putArray("time");
        for (int t = 0; t < 10; t++) times.add(2000 + t);
        String timedSteps = "/v1/sessions/" + post("/v1/models/seasonal/sessions", timed).json().get("session").asText() + "/step";
        ObjectNode next = JSON.createObjectNode().put("horizon", 2);
        next.set("values", rest);
        ArrayNode nextTimes = next.putArray("time");
        for (int t = 10; t < 16; t++) nextTimes.add(2000 + t);
        JsonNode stepped = post(timedSteps, next).json().get("forecast");
        assertThat(stepped).hasSize(2);
        assertThat(stepped.get(1).get("time").asText()).isEqualTo("2017");
        assertThat(stepped.get(1).get("mean")).isEqualTo(whole.json().get("forecast").get(1).get("mean"));
        assertThat(post(timedSteps, "{\"values\": [1]}").status()).isEqualTo(400);
        assertThat(post(timedSteps, "{\"values\": [1], \"time\": [\"soon\"]}").status()).isEqualTo(400);

        assertThat(post(steps, "{\"values\": [\"x\"]}").status()).isEqualTo(400);
        assertThat(post(steps, "{\"values\": [1], \"time\": [3]}").status()).isEqualTo(400);
        assertThat(post("/v1/models/covariates/sessions", "").json().get("error").asText()).contains("covariates");
    }

    @Test
    void anomalyDetectorScoresAndFlagsEveryRowAsTheCommandDoes() throws Exception {
        Series rows = sensor(30, 20);
        ArrayNode given = JSON.createArrayNode();
        for (int t = 0; t < rows.length(); t++) given.addArray().add(rows.value(0, t)).add(rows.value(1, t));
        AnomalyDetector d = Models.open(detector, AnomalyDetector.class);
        var expected = AnomalyCommand.judge(d, List.of(rows), 0, d.config().rule(), null);

        ServerTest.Reply r = post("/v1/models/detector/predict", JSON.createObjectNode().set("rows", given));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode out = r.json().get("rows");
        assertThat(out).hasSize(30);
        assertThat(out.get(0).get("score").isNull()).isTrue();
        var flags = new ArrayList<Boolean>();
        for (int t = 0; t < 30; t++) {
            if (t >= d.firstScored()) assertThat((float) out.get(t).get("score").asDouble()).isEqualTo(expected.scores().get(0)[t]);
            assertThat(out.get(t).get("anomaly").asBoolean()).isEqualTo(expected.flags().get(0)[t]);
            flags.add(out.get(t).get("anomaly").asBoolean());
        }
        assertThat(flags.get(20)).isTrue();
        assertThat(post("/v1/models/detector/predict", "{\"values\": [1, 2, 3]}").status()).isEqualTo(400);
        assertThat(post("/v1/models/detector/predict", "{\"rows\": [[1, 2], [3]]}").status()).isEqualTo(400);
    }
}
