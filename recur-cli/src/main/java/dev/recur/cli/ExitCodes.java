package dev.recur.cli;

/** The exit codes of every `recur` command. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** Something failed that is not the user's input. */
    public static final int FAILURE = 1;
    /** Bad input: an option, a data file or a model file. */
    public static final int BAD_INPUT = 2;
    /** Training stopped because the loss or a gradient became NaN or infinite. */
    public static final int DIVERGED = 3;

    private ExitCodes() {}
}
