package dev.sluice.cdk.internal;

/**
 * Physical names of a consumer's queues. They are fixed at synth time (not left to CloudFormation)
 * because the DLQ's redrive-allow policy must name the source queue's ARN, and referencing the
 * queue itself would be a dependency cycle (the source queue's redrive policy names the DLQ).
 *
 * @param queue the source queue's name
 * @param deadLetterQueue the DLQ's name
 */
public record QueueNames(String queue, String deadLetterQueue) {

    /** SQS allows 80 characters; keep room for "-dlq" and ".fifo". */
    public static final int MAX_BASE_LENGTH = 80 - "-dlq".length() - ".fifo".length();

    /** Names for a base name such as {@code order-events}. */
    public static QueueNames of(String base, boolean fifo) {
        String suffix = fifo ? ".fifo" : "";
        return new QueueNames(base + suffix, base + "-dlq" + suffix);
    }
}
