package dev.recur.nn;

/** The direction in which a layer reads its sequences; a bidirectional layer has one of each. */
public enum Direction {
    FORWARD(""),
    REVERSE("_reverse");

    private final String suffix;

    Direction(String suffix) {
        this.suffix = suffix;
    }

    /** PyTorch's parameter-name suffix: "" or "_reverse". */
    public String suffix() {
        return suffix;
    }
}
