package dev.sluice.aws;

import dev.sluice.core.redrive.AuditLog;
import dev.sluice.core.redrive.AuditRecord;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Dead-letter redrive for SQS, in two modes.
 * <ul>
 *   <li><b>Selective</b> ({@link #redrive}): the core {@link RedriveEngine} over an {@link SqsDeadLetterSource}
 *       and an {@link SqsRedriveTarget}: receive, filter (failure kind, error type, age, id), send a copy with
 *       its attributes, stable id and {@code sluice-redrive-count}, then delete; dry run, limit, rate,
 *       progress and an audit record.</li>
 *   <li><b>Native</b> ({@link #startMoveTask}, {@link #listMoveTasks}, {@link #cancelMoveTask}): SQS's own
 *       {@code StartMessageMoveTask}, fast and attribute-preserving, for all messages of the queue.</li>
 * </ul>
 * Both require explicit confirmation and write an audit record. Messages that had already succeeded
 * before they reached the dead-letter queue keep their stable id and are skipped by idempotency.
 */
public final class SqsRedrive {
    private final SqsClient sqs;
    private final String deadLetterQueueUrl;
    private final @Nullable String targetQueueUrl;
    private final AuditLog auditLog;
    private final Clock clock;
    private final RedriveEngine.Sleeper sleeper;
    private final Duration holdFor;

    private SqsRedrive(Builder b) {
        this.sqs = Objects.requireNonNull(b.sqs);
        this.deadLetterQueueUrl = Objects.requireNonNull(b.deadLetterQueueUrl);
        this.targetQueueUrl = b.targetQueueUrl;
        this.auditLog = Objects.requireNonNull(b.auditLog);
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.holdFor = b.holdFor;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Selective redrive through the core engine.
     *
     * @param request filter, dry run, limit, rate, operator and confirmation
     * @param listener progress
     * @return what happened
     * @throws IllegalStateException when no target queue is configured, or the request is neither confirmed
     *     nor a dry run
     */
    public RedriveReport redrive(RedriveRequest request, RedriveListener listener) {
        if (targetQueueUrl == null) {
            throw new IllegalStateException("targetQueueUrl is required for a selective redrive");
        }
        SqsDeadLetterSource source = new SqsDeadLetterSource(sqs, deadLetterQueueUrl, holdFor);
        SqsRedriveTarget target = new SqsRedriveTarget(sqs, targetQueueUrl);
        return new RedriveEngine(clock, sleeper, auditLog).run(request, source, target, listener);
    }

    /**
     * Starts a native SQS message move task for every message of the dead-letter queue.
     *
     * @param request the operator, confirmation and rate ({@code ratePerSecond} 0 lets SQS choose); its
     *     filter must match everything, since SQS moves all messages
     * @param destinationArn the destination queue's ARN, or null for each message's original source queue
     * @return the task handle (empty for a dry run) and the approximate number of messages to move
     * @throws IllegalArgumentException when the request filters
     * @throws IllegalStateException when the request is neither confirmed nor a dry run
     */
    public NativeRedrive startMoveTask(RedriveRequest request, @Nullable String destinationArn) {
        if (!request.filter().matchesEverything()) {
            throw new IllegalArgumentException("a native redrive moves every message; use a selective redrive to filter");
        }
        if (!request.dryRun() && !request.confirmed()) {
            throw new IllegalStateException("a redrive needs explicit confirmation (or a dry run)");
        }
        Instant startedAt = clock.instant();
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(deadLetterQueueUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes();
        String sourceArn = attributes.get(QueueAttributeName.QUEUE_ARN);
        int approximate = Integer.parseInt(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"));
        String handle = null;
        if (!request.dryRun()) {
            handle = sqs.startMessageMoveTask(r -> {
                r.sourceArn(sourceArn);
                if (destinationArn != null) {
                    r.destinationArn(destinationArn);
                }
                if (request.ratePerSecond() > 0) {
                    r.maxNumberOfMessagesPerSecond((int) Math.max(1, Math.min(500, Math.round(request.ratePerSecond()))));
                }
            }).taskHandle();
        }
        auditLog.write(new AuditRecord(request.operator(), startedAt, clock.instant(), sourceArn,
                destinationArn != null ? destinationArn : "(original source queues)", Map.of("native_move_task", true),
                request.dryRun(), approximate, request.dryRun() ? 0 : approximate, 0,
                request.dryRun() ? AuditRecord.Outcome.DRY_RUN : AuditRecord.Outcome.CONFIRMED));
        return new NativeRedrive(Optional.ofNullable(handle), approximate);
    }

    /**
     * What a native redrive started.
     *
     * @param taskHandle the task handle, empty for a dry run
     * @param approximateMessages the dead-letter queue's approximate size when it started
     */
    public record NativeRedrive(Optional<String> taskHandle, int approximateMessages) {}

    /** @return the dead-letter queue's recent message move tasks, newest first */
    public List<MessageMoveTask> listMoveTasks() {
        String sourceArn = sqs.getQueueAttributes(r -> r.queueUrl(deadLetterQueueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        return sqs.listMessageMoveTasks(r -> r.sourceArn(sourceArn).maxResults(10)).results().stream()
                .map(SqsRedrive::task).toList();
    }

    private static MessageMoveTask task(ListMessageMoveTasksResultEntry e) {
        return new MessageMoveTask(e.taskHandle(), e.status(), e.sourceArn(), e.destinationArn(),
                e.approximateNumberOfMessagesMoved() == null ? 0 : e.approximateNumberOfMessagesMoved(),
                e.approximateNumberOfMessagesToMove(), e.failureReason(),
                e.startedTimestamp() == null ? Instant.EPOCH : Instant.ofEpochMilli(e.startedTimestamp()));
    }

    /**
     * @param taskHandle a running task's handle
     * @return the approximate number of messages moved before the cancel
     */
    public long cancelMoveTask(String taskHandle) {
        Objects.requireNonNull(taskHandle, "taskHandle");
        Long moved = sqs.cancelMessageMoveTask(r -> r.taskHandle(taskHandle)).approximateNumberOfMessagesMoved();
        return moved == null ? 0 : moved;
    }

    /** Builds an {@link SqsRedrive}; {@code sqsClient}, {@code deadLetterQueueUrl} and {@code auditLog} are required. */
    public static final class Builder {
        private @Nullable SqsClient sqs;
        private @Nullable String deadLetterQueueUrl;
        private @Nullable String targetQueueUrl;
        private @Nullable AuditLog auditLog;
        private Clock clock = Clock.systemUTC();
        private RedriveEngine.Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private Duration holdFor = Duration.ofMinutes(5);

        private Builder() {}

        /** @param sqs the client @return this */
        public Builder sqsClient(SqsClient sqs) {
            this.sqs = Objects.requireNonNull(sqs, "sqsClient");
            return this;
        }

        /** @param url the dead-letter queue's URL @return this */
        public Builder deadLetterQueueUrl(String url) {
            this.deadLetterQueueUrl = url;
            return this;
        }

        /** @param url the queue selective redrives send to (usually the source queue) @return this */
        public Builder targetQueueUrl(String url) {
            this.targetQueueUrl = url;
            return this;
        }

        /** @param auditLog where audit records go @return this */
        public Builder auditLog(AuditLog auditLog) {
            this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
            return this;
        }

        /** @param clock the clock @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param sleeper how the rate limit waits @return this */
        public Builder sleeper(RedriveEngine.Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** @param holdFor how long scanned dead letters stay hidden (default 5 minutes) @return this */
        public Builder holdFor(Duration holdFor) {
            this.holdFor = Objects.requireNonNull(holdFor, "holdFor");
            return this;
        }

        /** @return the redrive @throws IllegalArgumentException naming the missing property */
        public SqsRedrive build() {
            if (sqs == null) {
                throw new IllegalArgumentException("sqsClient is required");
            }
            if (deadLetterQueueUrl == null || deadLetterQueueUrl.isBlank()) {
                throw new IllegalArgumentException("deadLetterQueueUrl is required");
            }
            if (auditLog == null) {
                throw new IllegalArgumentException("auditLog is required");
            }
            if (holdFor.toSeconds() < 1 || holdFor.toSeconds() > 43_200) {
                throw new IllegalArgumentException("holdFor must be between 1 second and 12 hours, got " + holdFor);
            }
            return new SqsRedrive(this);
        }
    }
}
