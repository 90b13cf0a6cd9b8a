package dev.recur.train;

/** Training diverged (a NaN or infinite loss or gradient, or a loss that stayed far above its start); the message says where and what to try. */
public final class DivergenceException extends RuntimeException {
    private final long step;

    public DivergenceException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The step (from 1) at which training stopped. */
    public long step() {
        return step;
    }
}
