package dev.sluice.aws.internal;

import java.util.Objects;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Turns what an operator or a builder names a queue by (a URL or a name) into its URL, the same everywhere. */
public final class QueueUrls {
    private QueueUrls() {}

    /**
     * @param sqs a client
     * @param queue a queue URL ({@code http://} or {@code https://}) or name
     * @return the URL: the given one, else the one {@code GetQueueUrl} returns for the name
     */
    public static String resolve(SqsClient sqs, String queue) {
        Objects.requireNonNull(queue, "queue");
        return queue.startsWith("http://") || queue.startsWith("https://") ? queue
                : sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
    }
}
