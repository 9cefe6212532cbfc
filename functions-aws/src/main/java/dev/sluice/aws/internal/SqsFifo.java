package dev.sluice.aws.internal;

import dev.sluice.core.security.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The one place that decides whether an SQS queue is a FIFO queue and derives message deduplication ids,
 * for every sender in this module (dead letters, redrive) and the CLI.
 */
public final class SqsFifo {
    /** SQS requires every FIFO queue's name to end with this. */
    public static final String SUFFIX = ".fifo";

    private SqsFifo() {}

    /**
     * @param queue a queue name, URL or ARN
     * @return whether it names a FIFO queue
     */
    public static boolean isFifo(String queue) {
        return Objects.requireNonNull(queue, "queue").endsWith(SUFFIX);
    }

    /**
     * A deduplication id that is the same whenever the same parts are sent again, so SQS drops a repeated
     * send within its 5-minute deduplication interval.
     *
     * @param first what identifies the send, e.g. the SQS message id of the delivery being dead-lettered
     * @param more further parts, e.g. the redrive count
     * @return 64 hex characters (SQS allows up to 128 of its id characters)
     */
    public static String deduplicationId(String first, String... more) {
        String joined = more.length == 0 ? first : first + "|" + String.join("|", more);
        return Hashes.sha256Hex(joined.getBytes(StandardCharsets.UTF_8));
    }
}
