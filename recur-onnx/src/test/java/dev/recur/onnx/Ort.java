package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.recur.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs an ONNX model in ONNX Runtime on one thread. A feed is a Recur tensor (float32), a {@code long[]} (int64 of
 * rank 1) or {@link Longs} (int64 of any rank); every output is float32, returned as a Recur tensor.
 */
final class Ort {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** An int64 tensor: {@code values} row-major in {@code shape}. */
    record Longs(long[] values, long... shape) {
        static Longs of(int[] values, long... shape) {
            return new Longs(Arrays.stream(values).asLongStream().toArray(), shape);
        }

        static Longs vector(long... values) {
            return new Longs(values, values.length);
        }
    }

    private Ort() {}

    /** Every output of {@code model} for {@code feeds}. */
    static Map<String, Tensor> run(ModelProto model, Map<String, Object> feeds) throws OrtException {
        var tensors = new LinkedHashMap<String, OnnxTensor>();
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession session = ENV.createSession(model.toByteArray(), options)) {
                for (var feed : feeds.entrySet()) tensors.put(feed.getKey(), tensor(feed.getValue()));
                var results = new LinkedHashMap<String, Tensor>();
                try (OrtSession.Result result = session.run(tensors)) {
                    for (var entry : result) {
                        var t = (OnnxTensor) entry.getValue();
                        int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
                        FloatBuffer values = t.getFloatBuffer();
                        float[] data = new float[values.remaining()];
                        values.get(data);
                        results.put(entry.getKey(), Tensor.of(data, shape));
                    }
                }
                return results;
            } finally {
                for (OnnxTensor t : tensors.values()) t.close();
            }
        }
    }

    private static OnnxTensor tensor(Object value) throws OrtException {
        if (value instanceof Tensor t) {
            return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.toArray()), Arrays.stream(t.shape()).asLongStream().toArray());
        }
        var longs = value instanceof long[] vector ? Longs.vector(vector) : (Longs) value;
        return OnnxTensor.createTensor(ENV, LongBuffer.wrap(longs.values()), longs.shape());
    }
}
