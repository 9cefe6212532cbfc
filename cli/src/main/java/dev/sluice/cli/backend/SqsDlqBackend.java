package dev.sluice.cli.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.aws.SqsDeadLetterSource;
import dev.sluice.aws.SqsRedrive;
import dev.sluice.aws.SqsRedriveTarget;
import dev.sluice.core.redrive.AuditLog;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.RedriveTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An SQS dead-letter queue. Given the consumer queue, its DLQ comes from the queue's redrive policy; given
 * the DLQ, its source queue comes from its redrive-allow policy (when it names exactly one).
 */
public final class SqsDlqBackend implements DlqBackend {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration HOLD = Duration.ofMinutes(5);
    private static final Duration BROWSE_HOLD = Duration.ofSeconds(30);

    private final SqsClient sqs;
    private final String deadLetterQueueUrl;
    private final String targetQueueUrl;
    private final SqsDeadLetterSource source;

    /**
     * @param sqs the client (closed with this back end)
     * @param queue the consumer queue or its DLQ, as URL or name
     */
    public SqsDlqBackend(SqsClient sqs, String queue) {
        this.sqs = sqs;
        String url = queue.startsWith("http://") || queue.startsWith("https://") ? queue
                : sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.REDRIVE_POLICY, QueueAttributeName.REDRIVE_ALLOW_POLICY)).attributes();
        Optional<String> dlqArn = arnAt(attributes.get(QueueAttributeName.REDRIVE_POLICY), "deadLetterTargetArn");
        if (dlqArn.isPresent()) {
            this.targetQueueUrl = url;
            this.deadLetterQueueUrl = urlOfArn(dlqArn.get());
        } else {
            Optional<String> sourceArn = arnAt(attributes.get(QueueAttributeName.REDRIVE_ALLOW_POLICY), "sourceQueueArns");
            if (sourceArn.isEmpty()) {
                throw new IllegalArgumentException("queue " + queue + " has no redrive policy and its redrive-allow policy"
                        + " names no single source queue: pass the consumer queue");
            }
            this.deadLetterQueueUrl = url;
            this.targetQueueUrl = urlOfArn(sourceArn.get());
        }
        this.source = new SqsDeadLetterSource(sqs, deadLetterQueueUrl, HOLD);
    }

    /**
     * @param options the AWS options
     * @return a back end on a client built from region, profile and endpoint
     */
    public static SqsDlqBackend open(QueueOptions.Aws options) {
        SqsClientBuilder builder = SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        if (options.region != null) {
            builder.region(Region.of(options.region));
        }
        if (options.profile != null) {
            builder.credentialsProvider(ProfileCredentialsProvider.create(options.profile));
        }
        if (options.endpoint != null) {
            builder.endpointOverride(options.endpoint);
            if (options.region == null) {
                builder.region(Region.US_EAST_1);
            }
            if (options.profile == null) {
                // local engines accept any credentials; a developer machine may have none configured
                builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            }
        }
        SqsClient sqs = builder.build();
        try {
            return new SqsDlqBackend(sqs, options.queue);
        } catch (RuntimeException e) {
            sqs.close();
            throw e;
        }
    }

    private String urlOfArn(String arn) {
        String[] parts = arn.split(":");
        String name = parts[parts.length - 1];
        String account = parts.length >= 5 ? parts[4] : null;
        return sqs.getQueueUrl(r -> {
            r.queueName(name);
            if (account != null && !account.isBlank() && account.chars().allMatch(Character::isDigit) && account.length() == 12) {
                r.queueOwnerAWSAccountId(account);
            }
        }).queueUrl();
    }

    private static Optional<String> arnAt(String policy, String field) {
        if (policy == null || policy.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(policy).get(field);
            if (node == null) {
                return Optional.empty();
            }
            if (node.isArray()) {
                return node.size() == 1 ? Optional.of(node.get(0).asText()) : Optional.empty();
            }
            return Optional.of(node.asText());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public QueueStats stats() {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(deadLetterQueueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return new QueueStats(source.name(),
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
                Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")), null);
    }

    @Override
    public List<DeadLetter> browse(int max) {
        return browse(sqs, deadLetterQueueUrl, max);
    }

    /**
     * Reads up to {@code max} dead letters and releases them all again (visible at once).
     *
     * @param sqs a client
     * @param deadLetterQueueUrl the queue
     * @param max the most to read
     * @return what was read; all of it is still in the queue
     */
    public static List<DeadLetter> browse(SqsClient sqs, String deadLetterQueueUrl, int max) {
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
        return new SqsRedriveTarget(sqs, targetQueueUrl, source);
    }

    @Override
    public Optional<NativeRedrive> nativeRedrive() {
        return Optional.of(new NativeRedrive() {
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
        sqs.close();
    }
}
