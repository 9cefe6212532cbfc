package dev.sluice.cli.internal;

import java.io.Console;
import org.jspecify.annotations.Nullable;

/** What the CLI knows about the operator's terminal: whether there is one, and how wide it is. */
public final class Terminal {
    /** The width assumed when the terminal does not say. */
    public static final int DEFAULT_COLUMNS = 79;

    private Terminal() {}

    /** @return true when this process talks to a terminal (not a pipe or a file), and it is not a dumb one */
    public static boolean interactive() {
        return isTerminal(System.console()) && !"dumb".equals(System.getenv("TERM"));
    }

    /** @return the terminal's width: {@code COLUMNS}, else {@value #DEFAULT_COLUMNS} */
    public static int columns() {
        return columns(System.getenv("COLUMNS"));
    }

    static int columns(@Nullable String columnsVariable) {
        try {
            int columns = columnsVariable == null ? DEFAULT_COLUMNS : Integer.parseInt(columnsVariable.trim());
            return columns > 0 ? columns : DEFAULT_COLUMNS;
        } catch (NumberFormatException e) {
            return DEFAULT_COLUMNS;
        }
    }

    /**
     * @param line a line to draw in place
     * @param columns the terminal's width
     * @return the line, cut so the cursor stays on it
     */
    static String fit(String line, int columns) {
        return line.length() < columns ? line : line.substring(0, Math.max(0, columns - 1));
    }

    private static boolean isTerminal(@Nullable Console console) {
        if (console == null) {
            return false;
        }
        try {
            // Java 22+ returns a console even when redirected, and says whether it is a terminal
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: a console exists only on a terminal
        }
    }
}
