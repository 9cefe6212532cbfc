package dev.sluice.cli.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;

/** Asks the operator to confirm; no answer (closed input, as in CI) means no. */
public final class Confirmation {
    private Confirmation() {}

    /**
     * @param question the question, e.g. the redrive plan
     * @param in the operator's input
     * @param out where to ask
     * @return true only for an explicit "y" or "yes"
     */
    public static boolean ask(String question, BufferedReader in, PrintWriter out) {
        out.print(question + " [y/N] ");
        out.flush();
        try {
            String answer = in.readLine();
            return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }
}
