package dev.recur.nn;

import dev.recur.kernel.Mat;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Float buffers a module's fused ops borrow and give back, so a training loop reuses the same few large arrays
 * (gates, states, their gradients: tens of MB per layer) instead of allocating them on every call. An op gives
 * its buffers back once nothing can read them any more: after its backward pass, or right after its forward pass
 * when it is not on the tape. Buffers never given back are left to the garbage collector. Thread-safe.
 */
final class Workspace {
    /** Buffers kept at most; beyond that, given-back ones are dropped. */
    private static final int KEPT = 32;

    private final ArrayList<float[]> free = new ArrayList<>();

    /** A zeroed [rows, cols] matrix, reused when a free buffer has exactly that size. */
    Mat take(int rows, int cols) {
        Mat m = borrow(rows, cols);
        Arrays.fill(m.data(), 0f);
        return m;
    }

    /** A [rows, cols] matrix holding whatever its last user left, for a caller that writes every element first. */
    Mat borrow(int rows, int cols) {
        int size = Math.multiplyExact(rows, cols);
        float[] data = null;
        synchronized (this) {
            for (int i = free.size() - 1; i >= 0; i--) {
                if (free.get(i).length == size) {
                    data = free.remove(i);
                    break;
                }
            }
        }
        return Mat.of(data != null ? data : new float[size], rows, cols);
    }

    /** Gives back the arrays behind these matrices (nulls are skipped; each array once). */
    synchronized void give(Mat... buffers) {
        for (Mat m : buffers) {
            if (m == null || free.size() >= KEPT) continue;
            boolean already = false;
            for (float[] f : free) already |= f == m.data();
            if (!already) free.add(m.data());
        }
    }
}
