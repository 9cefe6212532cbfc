package dev.sluice.aws;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A native SQS dead-letter redrive ({@code StartMessageMoveTask}) as {@code ListMessageMoveTasks} reports it.
 *
 * @param taskHandle the handle to cancel a running task with (only running tasks have one)
 * @param status {@code RUNNING}, {@code COMPLETED}, {@code CANCELLING}, {@code CANCELLED} or {@code FAILED}
 * @param sourceArn the dead-letter queue
 * @param destinationArn where messages go, or null for their original source queues
 * @param moved messages moved so far
 * @param toMove messages to move, when known
 * @param failureReason why it failed, if it did
 * @param startedAt when it started
 */
public record MessageMoveTask(@Nullable String taskHandle, String status, String sourceArn, @Nullable String destinationArn,
                              long moved, @Nullable Long toMove, @Nullable String failureReason, Instant startedAt) {
    /** @return the handle, if the task is still running */
    public Optional<String> handle() {
        return Optional.ofNullable(taskHandle);
    }

    /** @return whether the task is still running */
    public boolean running() {
        return "RUNNING".equals(status);
    }
}
