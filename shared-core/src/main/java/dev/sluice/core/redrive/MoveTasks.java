package dev.sluice.core.redrive;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A provider's own redrive, where it has one (SQS message move tasks): fast, keeps attributes, no filters. Part of
 * the {@link DeadLetterQueue} port.
 */
public interface MoveTasks {
    /**
     * A move task.
     *
     * @param handle the task handle
     * @param status its status
     * @param moved messages moved so far
     * @param toMove messages to move (counted when the task started), null when the provider does not say
     */
    record Task(String handle, String status, long moved, @Nullable Long toMove) {}

    /**
     * Starts a task for every dead letter and writes the audit record.
     *
     * @param request the operator, confirmation and rate (its filter must match everything)
     * @param audit where the audit record goes
     * @return the task handle
     */
    String start(RedriveRequest request, AuditLog audit);

    /** @return recent tasks */
    List<Task> list();

    /** @param handle a running task */
    void cancel(String handle);
}
