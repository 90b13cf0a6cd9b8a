package dev.recur.bench;

import dev.recur.autograd.Tape;
import dev.recur.autograd.Variable;
import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.nn.Lstm;
import dev.recur.nn.RecurrentConfig;
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
 * JMH micro-benchmarks of the kernels under the recurrent layers: the per-step product h·W_hhᵀ at the shape of
 * rb1's lstm-medium (64×512×2048) and one LSTM layer's forward pass over a sequence.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "recur-bench/target/recur-bench.jar:recur-bench/target/lib/*" \
 *      org.openjdk.jmh.Main KernelsJmh -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelsJmh {
    @Param({"64"})
    int batch;

    private Mat h, whhT, gates;
    private Lstm lstm;
    private Variable sequence;

    @Setup
    public void setUp() {
        var rng = new Rng(1);
        h = Mat.of(Tensor.randn(rng, batch, 512));
        whhT = Mat.of(Tensor.randn(rng, 2048, 512)).t();
        gates = Mat.of(Tensor.zeros(batch, 2048));
        lstm = new Lstm(RecurrentConfig.lstm(256, 512), rng);
        sequence = Variable.of(Tensor.randn(rng, 100, batch, 256));
    }

    /** gates += h · W_hhᵀ: [B, 512] · [512, 2048]. */
    @Benchmark
    public Mat recurrentProduct() {
        Kernels.get().matmulAdd(h, whhT, gates);
        return gates;
    }

    /** One LSTM layer (input 256, hidden 512) over 100 steps, without the tape. */
    @Benchmark
    public Tensor lstmForward() {
        try (var off = Tape.noGrad()) {
            return lstm.forward(sequence).output().value();
        }
    }
}
