package dev.sluice.cli.internal;

import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveProgress;
import java.io.PrintWriter;

/** A one-line progress bar on the operator's terminal (stderr), redrawn in place. */
public final class ProgressBar implements RedriveListener {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final int expected;

    /**
     * @param err where to draw
     * @param expected how many dead letters are expected to match (the plan), for the bar's scale
     */
    public ProgressBar(PrintWriter err, int expected) {
        this.err = err;
        this.expected = Math.max(1, expected);
    }

    @Override
    public void onProgress(RedriveProgress p) {
        int done = p.moved() + p.failed();
        int filled = (int) Math.min(WIDTH, (long) done * WIDTH / expected);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + expected
                + " moved=" + p.moved() + " failed=" + p.failed() + " scanned=" + p.scanned());
        err.flush();
    }

    /** Ends the line. */
    public void finish() {
        err.println();
        err.flush();
    }
}
