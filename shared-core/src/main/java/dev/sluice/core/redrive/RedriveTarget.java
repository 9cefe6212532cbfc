package dev.sluice.core.redrive;

import java.util.Map;

/** The queue redriven messages go back to. */
public interface RedriveTarget {
    /** @return a name for progress and the audit record */
    String name();

    /**
     * Sends a copy; must not return before the copy is durably enqueued.
     *
     * @param deadLetter the original dead letter
     * @param body the body bytes, unchanged
     * @param attributes the copy's attributes ({@link DeadLetter#redriveAttributes()})
     */
    void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes);
}
