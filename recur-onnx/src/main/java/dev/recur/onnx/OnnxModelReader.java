package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.recur.io.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and validates an ONNX file before the importer trusts it: it must parse as a ModelProto with
 * {@code ir_version > 0}, a graph, and a default-domain opset from {@value #MIN_OPSET} to {@value #MAX_OPSET};
 * other operator domains, external data and tensors other than float32, int32 and int64 are refused. Every refusal
 * is a one-line {@link ModelFormatException} naming the file.
 * <pre>
 * ModelProto model = OnnxModelReader.read(Path.of("lstm.onnx"));
 * </pre>
 */
final class OnnxModelReader {
    /** The default-domain opsets the importer reads: RNN, GRU and LSTM exist from 7; 22 is the newest they have. */
    static final int MIN_OPSET = 7, MAX_OPSET = 22;

    private OnnxModelReader() {}

    /** The file's model, validated as the class comment says. */
    static ModelProto read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such file");
        }
        return parse(String.valueOf(file), bytes);
    }

    /** {@code bytes} as a validated model; {@code source} starts every message. */
    static ModelProto parse(String source, byte[] bytes) {
        if (looksLikeSafeTensors(bytes)) {
            throw new ModelFormatException(source, "this is a safetensors file, not an ONNX model");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(source, "not an ONNX model (protobuf: " + firstLine(e.getMessage()) + ")");
        }
        // Random bytes often parse as a nearly empty message, so require what every ONNX model has.
        if (model.getIrVersion() <= 0) throw new ModelFormatException(source, "not an ONNX model (ir_version is " + model.getIrVersion() + ")");
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) throw new ModelFormatException(source, "not an ONNX model (no graph nodes)");
        long opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = o.getVersion();
            else throw new ModelFormatException(source, "operator domain '" + shorten(o.getDomain()) + "' is not supported; Recur imports the default ONNX domain only");
        }
        if (opset < 0) throw new ModelFormatException(source, "the model imports no default-domain opset");
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new ModelFormatException(source, "opset " + opset + " is not supported; Recur imports ONNX opsets " + MIN_OPSET + " to " + MAX_OPSET);
        }
        for (var node : model.getGraph().getNodeList()) {
            if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                throw new ModelFormatException(source, Glue.where(node, -1) + ": operator domain '" + shorten(node.getDomain())
                        + "' is not supported; Recur imports the default ONNX domain only");
            }
        }
        return model;
    }

    /** A safetensors file starts with an 8-byte little-endian header length, then a JSON object. */
    private static boolean looksLikeSafeTensors(byte[] bytes) {
        if (bytes.length < 10) return false;
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 1 && n <= bytes.length - 8 && bytes[8] == '{';
    }

    /**
     * A tensor's values as doubles (exact for float32 and int32, and for int64 up to 2^53, beyond which only
     * "to the end" markers such as INT64_MAX occur in the glue Recur folds). {@code what} names it in messages.
     */
    static Glue.Const tensor(String source, String what, TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new ModelFormatException(source, what + " is stored as external data; Recur imports self-contained ONNX files only");
        }
        int type = t.getDataType();
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) {
            if (d < 0 || d > Integer.MAX_VALUE || (count *= d) > Integer.MAX_VALUE) {
                throw new ModelFormatException(source, what + " has dims " + t.getDimsList() + "; expected non-negative sizes");
            }
        }
        int n = (int) count;
        ByteString raw = t.getRawData();
        double[] v = new double[n];
        if (type == OnnxGraph.FLOAT) {
            if (!raw.isEmpty()) {
                requireBytes(source, what, raw, 4L * n);
                var fb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                for (int i = 0; i < n; i++) v[i] = fb.get(i);
            } else {
                requireCount(source, what, t.getFloatDataCount(), n);
                for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
            }
        } else if (type == OnnxGraph.INT64) {
            if (!raw.isEmpty()) {
                requireBytes(source, what, raw, 8L * n);
                var lb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
                for (int i = 0; i < n; i++) v[i] = lb.get(i);
            } else {
                requireCount(source, what, t.getInt64DataCount(), n);
                for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
            }
        } else if (type == OnnxGraph.INT32) {
            if (!raw.isEmpty()) {
                requireBytes(source, what, raw, 4L * n);
                var ib = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                for (int i = 0; i < n; i++) v[i] = ib.get(i);
            } else {
                requireCount(source, what, t.getInt32DataCount(), n);
                for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i);
            }
        } else {
            throw new ModelFormatException(source, what + " has data type " + typeName(type)
                    + "; Recur imports float32 weights (and int32/int64 shapes and indices) only");
        }
        return new Glue.Const(type, dims, v);
    }

    static String typeName(int type) {
        var t = TensorProto.DataType.forNumber(type);
        return t == null ? String.valueOf(type) : t.name();
    }

    private static void requireBytes(String source, String what, ByteString raw, long expected) {
        if (raw.size() != expected) {
            throw new ModelFormatException(source, what + " holds " + raw.size() + " bytes of raw_data; expected " + expected + " for its dims");
        }
    }

    private static void requireCount(String source, String what, int found, int expected) {
        if (found != expected) throw new ModelFormatException(source, what + " holds " + found + " values; expected " + expected + " for its dims");
    }

    static String shorten(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 60 ? clean : clean.substring(0, 57) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        return shorten(nl < 0 ? s : s.substring(0, nl));
    }

    static String utf8(ByteString s) {
        return s.toString(StandardCharsets.UTF_8);
    }
}
