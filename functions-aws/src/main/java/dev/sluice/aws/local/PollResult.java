package dev.sluice.aws.local;

/**
 * What one poll of a {@link LocalEventSourceMapping} did.
 *
 * @param received messages in the batch (0 when the queue was empty)
 * @param deleted messages deleted as succeeded
 * @param failed messages left to the visibility timeout and the queue's redrive policy
 * @param invocationError whether the function threw (then the whole batch failed)
 */
public record PollResult(int received, int deleted, int failed, boolean invocationError) {
    /** Nothing was received. */
    public static final PollResult EMPTY = new PollResult(0, 0, 0, false);
}
