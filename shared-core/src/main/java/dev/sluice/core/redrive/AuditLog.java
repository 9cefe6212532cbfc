package dev.sluice.core.redrive;

/** Keeps audit records of redrives, and of other audited dead-letter steps ({@link AuditEvent}). */
@FunctionalInterface
public interface AuditLog {
    /**
     * @param record what a redrive did
     * @throws RuntimeException when the record cannot be written; the redrive reports it
     */
    void write(AuditRecord record);

    /**
     * Keeps an audited step other than a redrive. A log that keeps redrive records only refuses it, so such a step is
     * never silently left unaudited.
     *
     * @param event what was done
     * @throws RuntimeException when the event cannot be written
     */
    default void writeEvent(AuditEvent event) {
        throw new UnsupportedOperationException("this audit log keeps redrive records only");
    }
}
