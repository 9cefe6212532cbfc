package dev.sluice.cli;

/** Exit codes scripts can rely on. */
public final class ExitCodes {
    /** Done as asked. */
    public static final int OK = 0;
    /** A runtime failure (cloud error, unreachable endpoint). */
    public static final int FAILURE = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** The operator did not confirm; nothing was changed. */
    public static final int ABORTED = 3;
    /** Some dead letters could not be moved; they are still in the queue. */
    public static final int PARTIAL = 4;
    /** The demo's invariants (every message processed once, none lost) did not hold. */
    public static final int INVARIANT_VIOLATED = 5;
    /** A dead-letter archive run was refused (signatures, expiry, queue or planned ids); nothing was removed. */
    public static final int REFUSED = 6;

    private ExitCodes() {}
}
