package dev.recur.nn;

import dev.recur.autograd.Variable;
import dev.recur.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A part of a model that owns parameters and sub-modules, as PyTorch's nn.Module: parameters are registered
 * under PyTorch's names and listed in registration order, children's with a dotted prefix
 * ({@code "rnn.weight_ih_l0"}), so a {@code state_dict} maps one to one.
 */
public abstract class Module {
    private final Map<String, Variable> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter (a leaf that requires a gradient) under {@code name} and returns it. */
    protected final Variable register(String name, Tensor value) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(this + ": the name " + name + " is already taken");
        }
        Variable p = Variable.parameter(value);
        parameters.put(name, p);
        return p;
    }

    /** Registers a sub-module under {@code name} and returns it. */
    protected final <M extends Module> M register(String name, M child) {
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(this + ": the name " + name + " is already taken");
        }
        children.put(name, child);
        return child;
    }

    /** Every parameter, own first then each child's, under dotted PyTorch names. */
    public final Map<String, Variable> namedParameters() {
        var all = new LinkedHashMap<String, Variable>(parameters);
        children.forEach((prefix, child) -> child.namedParameters().forEach((n, p) -> all.put(prefix + "." + n, p)));
        return Collections.unmodifiableMap(all);
    }

    /**
     * Whether own parameter {@code name} is the weight matrix W of a product x·Wᵀ (a linear layer's, a recurrent
     * layer's): the weights a quantized model file stores in int8 or bf16. Embeddings, biases and norms are not.
     */
    protected boolean isProductWeight(String name) {
        return false;
    }

    /** The parameters that are product weights ({@link #isProductWeight}), own and children's, under dotted names. */
    public final Map<String, Variable> namedProductWeights() {
        var all = new LinkedHashMap<String, Variable>();
        parameters.forEach((name, p) -> {
            if (isProductWeight(name)) all.put(name, p);
        });
        children.forEach((prefix, child) -> child.namedProductWeights().forEach((n, p) -> all.put(prefix + "." + n, p)));
        return Collections.unmodifiableMap(all);
    }

    /** Every parameter's value by its dotted name, as PyTorch's {@code state_dict()}: what a model file stores. */
    public final Map<String, Tensor> stateDict() {
        var state = new LinkedHashMap<String, Tensor>();
        namedParameters().forEach((name, p) -> state.put(name, p.value()));
        return state;
    }

    public final List<Variable> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public final long parameterCount() {
        long n = 0;
        for (Variable p : namedParameters().values()) n += p.value().size();
        return n;
    }

    public final void zeroGrad() {
        namedParameters().values().forEach(Variable::zeroGrad);
    }

    /** Training mode (dropout active) or evaluation mode, for this module and every child. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
    }

    public final boolean training() {
        return training;
    }

    /** Copies values into parameters by name; every name must exist with the same shape. */
    public final void loadStateDict(Map<String, Tensor> state) {
        var own = namedParameters();
        for (var e : state.entrySet()) {
            Variable p = own.get(e.getKey());
            if (p == null) throw new IllegalArgumentException(this + ": no parameter named " + e.getKey() + "; expected one of " + own.keySet());
            if (!p.value().sameShape(e.getValue())) {
                throw new IllegalArgumentException(this + ": tensor " + e.getKey() + " has shape " + e.getValue().shapeString()
                        + "; expected " + p.value().shapeString());
            }
        }
        for (String name : own.keySet()) {
            if (!state.containsKey(name)) throw new IllegalArgumentException(this + ": tensor " + name + " is missing");
        }
        state.forEach((name, t) -> own.get(name).value().copyFrom(t));
    }
}
