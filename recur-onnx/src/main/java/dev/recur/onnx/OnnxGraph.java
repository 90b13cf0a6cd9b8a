package dev.recur.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.recur.tensor.InvalidOptionException;
import dev.recur.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A small builder of ONNX graphs over ONNX's protobuf classes ({@code ai.onnx.proto.OnnxMl}): graph inputs and
 * outputs with fixed or named (dynamic) dimensions, float32 and int64 initializers stored as little-endian
 * {@code raw_data}, and nodes. Every value has one producer: {@link #name} hands out unused names, and each node
 * gets a unique name ({@code LSTM_3}). {@link #model} wraps the graph with IR version 8 and one default-domain opset.
 * <pre>
 * var g = new OnnxGraph("relu");
 * String x = g.input("x", OnnxGraph.FLOAT, "B", 3);
 * g.output(g.node("Relu", List.of(x), "y"), OnnxGraph.FLOAT, "B", 3);
 * byte[] onnx = g.model(17, Map.of()).toByteArray();
 * </pre>
 */
public final class OnnxGraph {
    /** TensorProto.DataType codes used by Recur's graphs. */
    public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE, INT32 = TensorProto.DataType.INT32_VALUE,
            INT64 = TensorProto.DataType.INT64_VALUE;
    /** The opsets Recur writes: 14 is the first with the recurrent operators' {@code layout} attribute. */
    public static final int MIN_OPSET = 14, MAX_OPSET = 17, DEFAULT_OPSET = 17;
    /** IR version 8 (ONNX 1.10 to 1.13) covers opsets 14 to 17. */
    static final long IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private int nodes;

    public OnnxGraph(String name) {
        graph.setName(name);
    }

    /** {@code base} if no value has that name yet, else {@code base_1}, {@code base_2}, ...; the name is taken. */
    public String name(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) name = base + "_" + i;
        return name;
    }

    /**
     * Declares a graph input; each dimension is an Integer (fixed) or a String (dynamic, by {@code dim_param}).
     * The name must be free.
     */
    public String input(String name, int elemType, Object... dims) {
        require(names.add(name), "the name " + name + " is taken");
        graph.addInput(valueInfo(name, elemType, dims));
        return name;
    }

    /** Declares {@code name}, a value some node produces, as a graph output with the given type and dimensions. */
    public void output(String name, int elemType, Object... dims) {
        require(names.contains(name), "no value is named " + name);
        graph.addOutput(valueInfo(name, elemType, dims));
    }

    /** A float32 initializer holding {@code t}'s values and shape; returns its (possibly suffixed) name. */
    public String initializer(String base, Tensor t) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.data(), t.offset(), t.size());
        return initializer(base, FLOAT, bytes, Arrays.stream(t.shape()).asLongStream().toArray());
    }

    /** An int64 initializer of rank 1 (Slice's starts, Reshape's shape, ...). */
    public String initializer(String base, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return initializer(base, INT64, bytes, new long[] {values.length});
    }

    /** A node with one output, named {@link #name}({@code output}); returns that name. */
    public String node(String op, List<String> inputs, String output, AttributeProto... attributes) {
        return node(op, inputs, List.of(output), attributes).get(0);
    }

    /**
     * A node with several outputs, each named {@link #name}(its base); "" in {@code inputs} skips an optional input
     * (trailing ones are dropped) and "" in {@code outputs} skips an optional output. Returns the output names.
     */
    public List<String> node(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        int last = inputs.size();
        while (last > 0 && inputs.get(last - 1).isEmpty()) last--;
        for (String in : inputs.subList(0, last)) require(in.isEmpty() || names.contains(in), op + ": no value is named " + in);
        var named = new ArrayList<String>();
        for (String out : outputs) named.add(out.isEmpty() ? "" : name(out));
        graph.addNode(NodeProto.newBuilder().setName(op + "_" + nodes++).setOpType(op)
                .addAllInput(inputs.subList(0, last)).addAllOutput(named).addAllAttribute(Arrays.asList(attributes)));
        return named;
    }

    /** An INT attribute. */
    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A STRING attribute. */
    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        var a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    /** A STRINGS attribute. */
    public static AttributeProto strings(String name, List<String> values) {
        var a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) a.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        return a.build();
    }

    /**
     * The model: IR version 8, the default domain at {@code opset} (14 to 17), producer "recur" and its version,
     * and {@code metadata} as metadata_props.
     */
    public ModelProto model(int opset, Map<String, String> metadata) {
        checkOpset(opset);
        var model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("recur").setProducerVersion(recurVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph);
        metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    /** Throws an {@link InvalidOptionException} unless Recur writes {@code opset}. */
    public static void checkOpset(int opset) {
        InvalidOptionException.check(opset >= MIN_OPSET && opset <= MAX_OPSET,
                "opset %d is not supported; Recur exports ONNX opsets %d to %d (default %d)", opset, MIN_OPSET, MAX_OPSET, DEFAULT_OPSET);
    }

    private String initializer(String base, int type, ByteBuffer littleEndian, long[] dims) {
        String name = name(base);
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(type)
                .addAllDims(Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(littleEndian.array())));
        return name;
    }

    private static ValueInfoProto valueInfo(String name, int elemType, Object... dims) {
        var shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer n) dim.setDimValue(n);
            else if (d instanceof String p) dim.setDimParam(p);
            else throw new IllegalArgumentException(name + ": a dimension is an Integer or a String, got " + d);
            shape.addDim(dim);
        }
        var tensor = TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static String recurVersion() {
        var props = new Properties();
        try (InputStream in = OnnxGraph.class.getResourceAsStream("/recur-version.properties")) {
            if (in != null) props.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        return props.getProperty("version", "unknown");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalStateException(message);
    }
}
