package dev.recur.bench;

import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.kernel.PackedMatrix;
import dev.recur.tensor.QuantizedWeights;
import dev.recur.tensor.Rng;
import dev.recur.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmarks of the products of a few rows with quantized weights: gates = h · W_hhᵀ, [B, H] · [H, 4H]
 * (H = 512: one layer of infer-step), W in float32, bf16 or int8 ({@code recur quantize}'s forms), packed as a sequence's
 * steps use it and read in place as a single step does.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "recur-bench/target/recur-bench.jar:recur-bench/target/lib/*" \
 *      org.openjdk.jmh.Main NarrowJmh
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NarrowJmh {
    @Param({"1", "2", "4"})
    int batch;

    @Param({"fp32", "bf16", "int8"})
    String dtype;

    /** H: W_hh is [4H, H]; 512 fits this machine's last-level cache in float32, 2048 (67 MB) does not. */
    @Param({"512"})
    int hidden;

    private Mat h, whhT, gates;
    private PackedMatrix packed;

    @Setup
    public void setUp() {
        var rng = new Rng(1);
        h = Mat.of(Tensor.randn(rng, batch, hidden));
        Tensor w = Tensor.randn(rng, 4 * hidden, hidden);
        if (!dtype.equals("fp32")) {
            var q = QuantizedWeights.of(QuantizedWeights.Type.of(dtype), w);
            w = Tensor.of(q.dequantize(), 4 * hidden, hidden);
            w.attach(q);
        }
        whhT = Mat.of(w).t();
        packed = Kernels.get().pack(whhT);
        gates = Mat.of(Tensor.zeros(batch, 4 * hidden));
    }

    /** Packed once, as a sequence's recurrent product. */
    @Benchmark
    public Mat packedProduct() {
        Kernels.get().matmul(h, packed, gates);
        return gates;
    }

    /** Read in place, as a single step's product (the row-dot path). */
    @Benchmark
    public Mat inPlaceProduct() {
        Kernels.get().matmul(h, whhT, gates);
        return gates;
    }
}
