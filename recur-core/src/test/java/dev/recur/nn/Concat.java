package dev.recur.nn;

import dev.recur.autograd.Tape;
import dev.recur.autograd.TapeNode;
import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/** Test helper: the flattened values of several variables as one vector, so one gradient check covers them all. */
final class Concat {
    private Concat() {}

    static Variable of(Variable... parts) {
        Variable[] vs = Arrays.stream(parts).filter(Objects::nonNull).toArray(Variable[]::new);
        int n = Arrays.stream(vs).mapToInt(v -> v.value().size()).sum();
        Tensor all = Tensor.zeros(n);
        int at = 0;
        for (Variable v : vs) {
            System.arraycopy(v.value().toArray(), 0, all.data(), at, v.value().size());
            at += v.value().size();
        }
        Variable out = Variable.result(all, "concat", vs);
        if (out.requiresGrad()) {
            Tape.record(new TapeNode() {
                public Variable output() { return out; }
                public void backward() {
                    int from = 0;
                    for (Variable v : vs) {
                        if (v.requiresGrad()) {
                            Tensor g = v.gradBuffer();
                            for (int i = 0; i < g.size(); i++) g.data()[g.offset() + i] += out.grad().at(from + i);
                        }
                        from += v.value().size();
                    }
                }
            });
        }
        return out;
    }
}
