package dev.sluice.aws;

import dev.sluice.aws.internal.QueueArn;
import dev.sluice.aws.internal.QueueUrls;
import dev.sluice.aws.internal.QueueDirectory;
import dev.sluice.core.redrive.AuditLog;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.MoveTasks;
import dev.sluice.core.redrive.QueueStats;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.RedriveTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS dead-letter queue behind the {@link DeadLetterQueue} port. Given the consumer queue, its DLQ comes from the
 * queue's redrive policy; given the DLQ, its source queue comes from its redrive-allow policy (when it names exactly
 * one). Redrive sends copies to the source queue; move tasks are SQS's own {@code StartMessageMoveTask}.
 *
 * <pre>{@code
 * try (DeadLetterQueue dlq = SqsDeadLetterQueue.open(sqs, "orders")) {
 *     dlq.browse(10).forEach(System.out::println);
 * }
 * }</pre>
 */
public final class SqsDeadLetterQueue implements DeadLetterQueue {
    private static final Duration HOLD = Duration.ofMinutes(5);
    private static final Duration BROWSE_HOLD = Duration.ofSeconds(30);

    private final SqsClient sqs;
    private final boolean ownsClient;
    private final String deadLetterQueueUrl;
    private final String targetQueueUrl;
    private final SqsDeadLetterSource source;

    private SqsDeadLetterQueue(SqsClient sqs, boolean ownsClient, String deadLetterQueueUrl, String targetQueueUrl) {
        this.sqs = sqs;
        this.ownsClient = ownsClient;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.targetQueueUrl = targetQueueUrl;
        this.source = new SqsDeadLetterSource(sqs, deadLetterQueueUrl, HOLD);
    }

    /**
     * @param sqs a client, left open by {@link #close()}
     * @param queue the consumer queue or its DLQ, as URL or name
     * @return the dead-letter queue and its source queue
     * @throws IllegalArgumentException when neither the queue's redrive policy nor its redrive-allow policy names the
     *     other queue
     */
    public static SqsDeadLetterQueue open(SqsClient sqs, String queue) {
        return resolve(sqs, false, queue);
    }

    /**
     * @param sqs a client, closed by {@link #close()} (also when resolving fails)
     * @param queue the consumer queue or its DLQ, as URL or name
     * @return the dead-letter queue and its source queue
     */
    public static SqsDeadLetterQueue openOwning(SqsClient sqs, String queue) {
        try {
            return resolve(sqs, true, queue);
        } catch (RuntimeException e) {
            sqs.close();
            throw e;
        }
    }

    private static SqsDeadLetterQueue resolve(SqsClient sqs, boolean owns, String queue) {
        String url = QueueUrls.resolve(sqs, queue);
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.REDRIVE_POLICY, QueueAttributeName.REDRIVE_ALLOW_POLICY)).attributes();
        QueueDirectory directory = new QueueDirectory(sqs, null, null, null);
        Optional<QueueArn> dlq = QueueDirectory.redrivePolicyTarget(attributes.get(QueueAttributeName.REDRIVE_POLICY));
        if (dlq.isPresent()) {
            return new SqsDeadLetterQueue(sqs, owns, directory.queueUrl(dlq.get()), url);
        }
        QueueArn sourceQueue = QueueDirectory.redriveAllowSource(attributes.get(QueueAttributeName.REDRIVE_ALLOW_POLICY))
                .orElseThrow(() -> new IllegalArgumentException("queue " + queue + " has no redrive policy and its "
                        + "redrive-allow policy names no single source queue: pass the consumer queue"));
        return new SqsDeadLetterQueue(sqs, owns, url, directory.queueUrl(sourceQueue));
    }

    /** @return the dead-letter queue's URL */
    public String deadLetterQueueUrl() {
        return deadLetterQueueUrl;
    }

    /** @return the URL of the queue redrive sends to */
    public String targetQueueUrl() {
        return targetQueueUrl;
    }

    /** SQS does not report the oldest message's age through its API (only CloudWatch does): it is left to a scan. */
    @Override
    public QueueStats stats() {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(deadLetterQueueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return new QueueStats(source.name(),
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")), null);
    }

    /** SQS cannot peek: this receives with a short hold and makes everything visible again at once. */
    @Override
    public List<DeadLetter> browse(int max) {
        SqsDeadLetterSource reader = new SqsDeadLetterSource(sqs, deadLetterQueueUrl, BROWSE_HOLD);
        List<DeadLetter> read = new ArrayList<>();
        try {
            while (read.size() < max) {
                List<DeadLetter> batch = reader.receive(Math.min(10, max - read.size()));
                if (batch.isEmpty()) {
                    break;
                }
                read.addAll(batch);
            }
        } finally {
            read.forEach(reader::release);
        }
        return read;
    }

    @Override
    public DeadLetterSource source() {
        return source;
    }

    @Override
    public RedriveTarget target() {
        return new SqsRedriveTarget(sqs, targetQueueUrl);
    }

    @Override
    public Optional<MoveTasks> moveTasks() {
        return Optional.of(new MoveTasks() {
            @Override
            public String start(RedriveRequest request, AuditLog audit) {
                return redrive(audit).startMoveTask(request, null).taskHandle().orElse("(none)");
            }

            @Override
            public List<Task> list() {
                return redrive(r -> { }).listMoveTasks().stream()
                        .map(t -> new Task(t.handle().orElse("-"), t.status(), t.moved(), toMove(t.moved(), t.toMove())))
                        .toList();
            }

            @Override
            public void cancel(String handle) {
                redrive(r -> { }).cancelMoveTask(handle);
            }
        });
    }

    /**
     * The number of messages a move task has to move, as far as the provider says. SQS reports
     * ApproximateNumberOfMessagesToMove once the task is selected to start (the queue's depth then); before that it is
     * absent. ElasticMQ reports 0 once a task completed, after it moved messages: a figure below what was moved is no
     * total, so it counts as not said.
     *
     * @param moved ApproximateNumberOfMessagesMoved
     * @param reported ApproximateNumberOfMessagesToMove, null when absent
     * @return the number to move, or null when unknown
     */
    static @Nullable Long toMove(long moved, @Nullable Long reported) {
        if (reported == null || reported < 0 || reported < moved) {
            return null;
        }
        return reported;
    }

    private SqsRedrive redrive(AuditLog audit) {
        return SqsRedrive.builder().sqsClient(sqs).deadLetterQueueUrl(deadLetterQueueUrl).targetQueueUrl(targetQueueUrl)
                .auditLog(audit).build();
    }

    @Override
    public void close() {
        if (ownsClient) {
            sqs.close();
        }
    }

    @Override
    public String toString() {
        return "SqsDeadLetterQueue[" + targetQueueUrl + " <- " + deadLetterQueueUrl + "]";
    }
}
