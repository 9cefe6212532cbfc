package dev.sluice.aws.internal;

import java.util.Objects;

/**
 * An SQS queue ARN, {@code arn:<partition>:sqs:<region>:<account>:<name>}.
 *
 * @param arn the full ARN
 * @param region the region
 * @param account the owning account
 * @param name the queue name
 */
public record QueueArn(String arn, String region, String account, String name) {
    /** Validates the components. */
    public QueueArn {
        Objects.requireNonNull(arn, "arn");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(name, "name");
    }

    /**
     * @param arn an ARN
     * @return the parsed ARN
     * @throws IllegalArgumentException when it is not an SQS queue ARN
     */
    public static QueueArn parse(String arn) {
        String[] parts = Objects.requireNonNull(arn, "arn").split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("sqs") || parts[5].isBlank()) {
            throw new IllegalArgumentException("not an SQS queue ARN: '" + arn + "'");
        }
        return new QueueArn(arn, parts[3], parts[4], parts[5]);
    }

    /** @return whether this is a FIFO queue */
    public boolean fifo() {
        return SqsFifo.isFifo(name);
    }
}
