package dev.recur.spark;

import dev.recur.tensor.Tensor;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** Named tensors as plain arrays, to travel between the driver and the workers (a task's state, an optimizer's buffers). */
record Tensors(String[] names, int[][] shapes, float[][] data) implements Serializable {

    static Tensors of(Map<String, Tensor> tensors) {
        int n = tensors.size(), i = 0;
        var names = new String[n];
        var shapes = new int[n][];
        var data = new float[n][];
        for (var e : tensors.entrySet()) {
            names[i] = e.getKey();
            shapes[i] = e.getValue().shape();
            data[i++] = e.getValue().toArray();
        }
        return new Tensors(names, shapes, data);
    }

    Map<String, Tensor> toMap() {
        var map = new LinkedHashMap<String, Tensor>();
        for (int i = 0; i < names.length; i++) map.put(names[i], Tensor.of(data[i].clone(), shapes[i]));
        return map;
    }
}
