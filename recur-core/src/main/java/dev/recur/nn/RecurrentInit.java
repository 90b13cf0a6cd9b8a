package dev.recur.nn;

/** How a recurrent layer's weight_hh is initialised; every other parameter is drawn from U(−1/√H, 1/√H). */
public enum RecurrentInit {
    /** PyTorch's default: U(−1/√H, 1/√H), as every other parameter. */
    UNIFORM,
    /** Each gate's [H, H or P] block of weight_hh is a random orthogonal matrix (Saxe et al., 2014). */
    ORTHOGONAL
}
