package dev.recur.autograd;

import dev.recur.kernel.Kernels;
import dev.recur.kernel.Mat;
import dev.recur.tensor.Tensor;

/**
 * C = op(A) · op(B). A [..., K] (all leading dimensions act as rows) or, transposed, a stored [K, M];
 * B [K, N] or, transposed, a stored [N, K].
 * <pre>
 * dA = dC · op(B)ᵀ      (transposed A: dA = op(B) · dCᵀ)
 * dB = op(A)ᵀ · dC      (transposed B: dB = dCᵀ · op(A))
 * </pre>
 */
final class MatMul {
    private MatMul() {}

    static Variable forward(Variable a, Transpose ta, Variable b, Transpose tb) {
        Tensor av = a.value(), bv = b.value();
        if (av.rank() < 1 || bv.rank() != 2 || (ta == Transpose.TRANSPOSED && av.rank() != 2)) {
            throw new IllegalArgumentException("matmul: cannot multiply " + describe(av, ta) + " by " + describe(bv, tb)
                    + "; expected [..., K] or a transposed [K, M], by [K, N] or a transposed [N, K]");
        }
        Mat opA = op(av, ta), opB = op(bv, tb);
        if (opA.cols() != opB.rows()) {
            throw new IllegalArgumentException("matmul: cannot multiply " + describe(av, ta) + " by " + describe(bv, tb)
                    + ": inner dimensions " + opA.cols() + " and " + opB.rows() + " differ");
        }
        int[] shape = av.shape();
        if (ta == Transpose.TRANSPOSED) shape = new int[] {opA.rows(), opB.cols()};
        else shape[shape.length - 1] = opB.cols();
        Tensor c = Tensor.zeros(shape);
        Kernels.get().matmul(opA, opB, Mat.of(c.data(), opA.rows(), opB.cols()));
        Variable out = Variable.result(c, "matmul " + describe(av, ta) + "·" + describe(bv, tb), a, b);
        if (out.requiresGrad()) Tape.record(new Node(a, ta, b, tb, out));
        return out;
    }

    private static Mat op(Tensor t, Transpose tr) {
        Mat m = Mat.of(t);
        return tr == Transpose.TRANSPOSED ? m.t() : m;
    }

    private static String describe(Tensor t, Transpose tr) {
        return t.shapeString() + (tr == Transpose.TRANSPOSED ? "ᵀ" : "");
    }

    private record Node(Variable a, Transpose ta, Variable b, Transpose tb, Variable output) implements TapeNode {
        @Override
        public void backward() {
            Kernels k = Kernels.get();
            Mat opA = op(a.value(), ta), opB = op(b.value(), tb);
            Mat dC = Mat.of(output.grad(), opA.rows(), opB.cols());
            if (a.requiresGrad()) {
                Mat dA = Mat.of(a.gradBuffer());
                if (ta == Transpose.NONE) k.matmulAdd(dC, opB.t(), dA);
                else k.matmulAdd(opB, dC.t(), dA);
            }
            if (b.requiresGrad()) {
                Mat dB = Mat.of(b.gradBuffer());
                if (tb == Transpose.NONE) k.matmulAdd(opA.t(), dC, dB);
                else k.matmulAdd(dC.t(), opA, dB);
            }
        }
    }
}
