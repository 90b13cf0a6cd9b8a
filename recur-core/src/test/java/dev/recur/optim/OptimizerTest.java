package dev.recur.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every optimizer against PyTorch 1.13 (tools/reference/optim_reference.py) over 20 steps of fixed gradients. */
class OptimizerTest {
    private static final JsonNode REF = load();

    private static JsonNode load() {
        try (InputStream in = OptimizerTest.class.getResourceAsStream("/reference/optim.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<JsonNode> cases() {
        var list = new ArrayList<JsonNode>();
        REF.get("cases").forEach(list::add);
        return list.stream();
    }

    private static List<Variable> initialParams() {
        var params = new ArrayList<Variable>();
        for (int i = 0; i < REF.get("shapes").size(); i++) {
            int[] shape = new int[REF.get("shapes").get(i).size()];
            for (int d = 0; d < shape.length; d++) shape[d] = REF.get("shapes").get(i).get(d).asInt();
            params.add(Variable.parameter(Tensor.of(floats(REF.get("init").get(i)), shape)));
        }
        return params;
    }

    private static float[] floats(JsonNode array) {
        float[] f = new float[array.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) array.get(i).asDouble();
        return f;
    }

    private static void setGrads(List<Variable> params, int step) {
        for (int i = 0; i < params.size(); i++) {
            Variable p = params.get(i);
            p.zeroGrad();
            float[] g = floats(REF.get("grads").get(step).get(i));
            System.arraycopy(g, 0, p.gradBuffer().data(), 0, g.length);
        }
    }

    private static Optimizer build(String name, JsonNode o, List<Variable> params) {
        float lr = (float) o.get("lr").asDouble();
        float wd = (float) o.path("weight_decay").asDouble(name.equals("adamw") ? 0.01 : 0);
        return switch (name) {
            case "sgd" -> o.path("nesterov").asBoolean(false)
                    ? Sgd.nesterov(params, lr, (float) o.path("momentum").asDouble(0), wd)
                    : new Sgd(params, lr, (float) o.path("momentum").asDouble(0), (float) o.path("dampening").asDouble(0), wd);
            case "adam" -> new Adam(params, lr, (float) o.path("betas").path(0).asDouble(0.9),
                    (float) o.path("betas").path(1).asDouble(0.999), (float) o.path("eps").asDouble(1e-8), wd);
            case "adamw" -> Adam.adamW(params, lr, (float) o.path("betas").path(0).asDouble(0.9),
                    (float) o.path("betas").path(1).asDouble(0.999), (float) o.path("eps").asDouble(1e-8), wd);
            case "rmsprop" -> new RmsProp(params, lr, (float) o.path("alpha").asDouble(0.99), (float) o.path("eps").asDouble(1e-8),
                    wd, (float) o.path("momentum").asDouble(0));
            case "adagrad" -> new Adagrad(params, lr, (float) o.path("lr_decay").asDouble(0), (float) o.path("eps").asDouble(1e-10), wd);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchForTwentySteps(JsonNode c) {
        var params = initialParams();
        var opt = build(c.get("optimizer").asText(), c.get("options"), params);
        for (int step = 0; step < 20; step++) {
            setGrads(params, step);
            opt.step();
            for (int i = 0; i < params.size(); i++) {
                float[] expected = floats(c.get("trajectory").get(step).get(i));
                float[] actual = params.get(i).value().toArray();
                for (int j = 0; j < expected.length; j++) {
                    double tol = 1e-6 * Math.max(1.0, Math.abs(expected[j]));
                    assertThat((double) actual[j]).as("%s step %d param %d[%d]", c.get("optimizer"), step + 1, i, j)
                            .isCloseTo(expected[j], org.assertj.core.data.Offset.offset(tol));
                }
            }
        }
    }

    @Test
    void clippingMatchesPyTorch() {
        for (JsonNode c : REF.get("clips")) {
            var params = initialParams();
            setGrads(params, 0);
            float limit = (float) c.get("limit").asDouble();
            if (c.get("kind").asText().equals("norm")) {
                double norm = GradClip.byNorm(params, limit);
                assertThat(norm).isCloseTo(c.get("norm").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
            } else {
                GradClip.byValue(params, limit);
            }
            for (int i = 0; i < params.size(); i++) {
                float[] expected = floats(c.get("grads").get(i));
                float[] actual = params.get(i).grad().toArray();
                for (int j = 0; j < expected.length; j++) {
                    assertThat(actual[j]).as("%s %s grad %d[%d]", c.get("kind"), limit, i, j)
                            .isCloseTo(expected[j], org.assertj.core.data.Offset.offset(1e-6f));
                }
            }
        }
    }

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        var params = initialParams();
        var before = params.get(1).value().toArray();
        params.get(0).gradBuffer().fill(1f);
        new Adam(params, 0.1f).step();
        assertThat(params.get(1).value().toArray()).containsExactly(before);
        assertThat(params.get(0).value().toArray()).isNotEqualTo(floats(REF.get("init").get(0)));
    }

    @Test
    void badHyperparametersAreNamed() {
        var params = initialParams();
        assertThatThrownBy(() -> new Adam(params, -1f)).hasMessageContaining("learning rate").hasMessageContaining("-1");
        assertThatThrownBy(() -> new Adam(params, 0.1f, 1.5f, 0.999f, 1e-8f, 0f)).hasMessageContaining("beta1");
        assertThatThrownBy(() -> Sgd.nesterov(params, 0.1f, 0f, 0f)).hasMessageContaining("Nesterov");
        assertThatThrownBy(() -> GradClip.byNorm(params, 0)).hasMessageContaining("clipping norm");
    }
}
