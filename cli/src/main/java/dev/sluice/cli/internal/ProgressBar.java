package dev.sluice.cli.internal;

import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveProgress;
import java.io.PrintWriter;

/**
 * A one-line progress bar on the operator's terminal (stderr), redrawn in place. It is drawn only on a
 * terminal, and every line fits the terminal's width ({@code COLUMNS}, else {@value Terminal#DEFAULT_COLUMNS} columns):
 * the counts are kept, the bar shrinks or goes. Piped or redirected, it draws nothing (the command prints its
 * summary either way).
 */
public final class ProgressBar implements RedriveListener {
    private static final int MAX_BAR = 30;
    private static final int MIN_BAR = 5;

    private final PrintWriter err;
    private final int expected;
    private final int columns;
    private final boolean draw;
    private boolean drawn;

    /**
     * @param err where to draw
     * @param expected how many dead letters are expected to match (the plan), for the bar's scale
     * @param columns the terminal's width
     * @param draw false when stderr is not a terminal: nothing is drawn
     */
    public ProgressBar(PrintWriter err, int expected, int columns, boolean draw) {
        this.err = err;
        this.expected = Math.max(1, expected);
        this.columns = Math.max(20, columns);
        this.draw = draw;
    }

    /**
     * @param err where to draw
     * @param expected how many dead letters the plan expects
     * @return a bar for this process's terminal: drawn only when there is one, as wide as {@code COLUMNS} says
     */
    public static ProgressBar forTerminal(PrintWriter err, int expected) {
        return new ProgressBar(err, expected, Terminal.columns(), Terminal.interactive());
    }

    @Override
    public void onProgress(RedriveProgress p) {
        if (!draw) {
            return;
        }
        err.print("\r" + line(p));
        err.flush();
        drawn = true;
    }

    /**
     * @param p the progress so far
     * @return the line drawn for it, at most {@code columns - 1} characters (the cursor stays on the line)
     */
    String line(RedriveProgress p) {
        int done = p.moved() + p.failed();
        String counts = done + "/" + expected + " moved=" + p.moved() + " failed=" + p.failed() + " scanned=" + p.scanned();
        int room = columns - 1 - counts.length() - 3;
        if (room < MIN_BAR) {
            return Terminal.fit(counts, columns);
        }
        int width = Math.min(MAX_BAR, room);
        int filled = (int) Math.min(width, (long) done * width / expected);
        return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + counts;
    }

    /** Ends the line, if one was drawn. */
    public void finish() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }
}
