package dev.recur.onnx;

import static dev.recur.onnx.OnnxGraph.attr;
import static dev.recur.onnx.OnnxGraph.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.recur.io.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Constant folding of the glue operators, in their attribute and input forms, checked by hand-computed values. */
class GlueTest {
    private static final Glue.Const M23 = floats(new long[] {2, 3}, 0, 1, 2, 3, 4, 5);   // [[0, 1, 2], [3, 4, 5]]

    @Test
    void transposeWithPermAndByDefaultReversesAxes() {
        assertValues(fold("Transpose", List.of(M23), ints("perm", 1, 0)), new long[] {3, 2}, 0, 3, 1, 4, 2, 5);
        assertValues(fold("Transpose", List.of(M23)), new long[] {3, 2}, 0, 3, 1, 4, 2, 5);
    }

    @Test
    void sliceInAttributeAndInputFormsWithNegativeAndHugeBoundsAndSteps() {
        assertValues(fold("Slice", List.of(M23), ints("starts", 1), ints("ends", Long.MAX_VALUE), ints("axes", 1)), new long[] {2, 2}, 1, 2, 4, 5);
        assertValues(fold("Slice", List.of(M23, longs(-1), longs(Long.MAX_VALUE), longs(0))), new long[] {1, 3}, 3, 4, 5);
        assertValues(fold("Slice", List.of(M23, longs(0), longs(3), longs(-1), longs(2))), new long[] {2, 2}, 0, 2, 3, 5);
        assertValues(fold("Slice", List.of(M23, longs(-1), longs(Long.MIN_VALUE), longs(1), longs(-1))), new long[] {2, 3}, 2, 1, 0, 5, 4, 3);
    }

    @Test
    void squeezeAndUnsqueezeInBothForms() {
        Glue.Const x = floats(new long[] {1, 3, 1}, 7, 8, 9);
        assertThat(fold("Squeeze", List.of(x), ints("axes", 0)).dims()).containsExactly(3, 1);
        assertThat(fold("Squeeze", List.of(x, longs(-1))).dims()).containsExactly(1, 3);
        assertThat(fold("Squeeze", List.of(x)).dims()).containsExactly(3);
        assertThat(fold("Unsqueeze", List.of(M23), ints("axes", 0, 3)).dims()).containsExactly(1, 2, 3, 1);
        assertThat(fold("Unsqueeze", List.of(M23, longs(-1))).dims()).containsExactly(2, 3, 1);
        assertThatThrownBy(() -> fold("Squeeze", List.of(M23), ints("axes", 0))).isInstanceOf(ModelFormatException.class)
                .hasMessage("test: node 'n' (Squeeze): cannot squeeze axis 0 of dims [2, 3]");
    }

    @Test
    void concatReshapeShapeGather() {
        assertValues(fold("Concat", List.of(M23, M23), attr("axis", 1)), new long[] {2, 6}, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);
        assertValues(fold("Reshape", List.of(M23, longs(0, -1, 1))), new long[] {2, 3, 1}, 0, 1, 2, 3, 4, 5);
        assertValues(fold("Shape", List.of(M23)), new long[] {2}, 2, 3);
        assertValues(fold("Shape", List.of(M23), attr("start", -1)), new long[] {1}, 3);
        assertValues(fold("Gather", List.of(M23, longs(-1, 0)), attr("axis", 1)), new long[] {2, 2}, 2, 0, 5, 3);
        assertValues(fold("Gather", List.of(M23, new Glue.Const(OnnxGraph.INT64, new long[0], new double[] {1}))), new long[] {3}, 3, 4, 5);
    }

    @Test
    void constantConstantOfShapeExpandCastIdentity() {
        assertValues(fold("Constant", List.of(), ints("value_ints", 4, 5)), new long[] {2}, 4, 5);
        TensorProto t = TensorProto.newBuilder().setDataType(OnnxGraph.FLOAT).addDims(2).setRawData(ByteString.copyFrom(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array())).build();
        assertValues(fold("Constant", List.of(), AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t).build()),
                new long[] {2}, 1.5, -2);
        assertValues(fold("ConstantOfShape", List.of(longs(2, 1))), new long[] {2, 1}, 0, 0);
        assertValues(fold("Expand", List.of(floats(new long[] {3, 1}, 1, 2, 3), longs(2, 1, 2))), new long[] {2, 3, 2},
                1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
        Glue.Const cast = fold("Cast", List.of(floats(new long[] {2}, 2.7, -2.7)), attr("to", OnnxGraph.INT64));
        assertThat(cast.type()).isEqualTo(OnnxGraph.INT64);
        assertThat(cast.values()).containsExactly(2, -2);
        assertThat(fold("Identity", List.of(M23))).isSameAs(M23);
    }

    @Test
    void aHugeConstantOfShapeIsRefusedNotAllocated() {
        assertThatThrownBy(() -> fold("ConstantOfShape", List.of(longs(1 << 20, 1 << 20)))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("are too large to fold");
    }

    private static Glue.Const fold(String op, List<Glue.Const> in, AttributeProto... attributes) {
        NodeProto node = NodeProto.newBuilder().setName("n").setOpType(op).addAllAttribute(Arrays.asList(attributes)).build();
        return Glue.fold("test", node, 0, in);
    }

    private static Glue.Const floats(long[] dims, double... v) {
        return new Glue.Const(OnnxGraph.FLOAT, dims, v);
    }

    private static Glue.Const longs(long... v) {
        return new Glue.Const(OnnxGraph.INT64, new long[] {v.length}, Arrays.stream(v).asDoubleStream().toArray());
    }

    private static void assertValues(Glue.Const c, long[] dims, double... values) {
        assertThat(c.dims()).containsExactly(dims);
        assertThat(c.values()).containsExactly(values);
    }
}
