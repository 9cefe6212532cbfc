package dev.sluice.core.redrive;

/** Keeps audit records of redrives. */
@FunctionalInterface
public interface AuditLog {
    /**
     * @param record what a redrive did
     * @throws RuntimeException when the record cannot be written; the redrive reports it
     */
    void write(AuditRecord record);
}
