package dev.sluice.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Resolves and caches queue URLs: a source queue's from its ARN, its dead-letter queue's from an explicit
 * URL, a configured name, or the source queue's redrive policy. Caches live as long as the consumer (a
 * warm Lambda pays each lookup once; SnapStart priming pays it before the checkpoint).
 */
public final class QueueDirectory {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SqsClient sqs;
    private final @Nullable String explicitQueueUrl;
    private final @Nullable String explicitDlqUrl;
    private final @Nullable String dlqName;
    private final ConcurrentMap<String, String> urlsByArn = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> dlqUrlsBySourceArn = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> urlsByName = new ConcurrentHashMap<>();

    /**
     * @param sqs the client
     * @param explicitQueueUrl the source queue's URL when configured, else resolved from event ARNs
     * @param explicitDlqUrl the dead-letter queue's URL when configured
     * @param dlqName the dead-letter queue's name when configured
     */
    public QueueDirectory(SqsClient sqs, @Nullable String explicitQueueUrl, @Nullable String explicitDlqUrl,
                          @Nullable String dlqName) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.explicitQueueUrl = explicitQueueUrl;
        this.explicitDlqUrl = explicitDlqUrl;
        this.dlqName = dlqName;
    }

    /**
     * @param arn the source queue's ARN
     * @return its URL
     */
    public String queueUrl(QueueArn arn) {
        if (explicitQueueUrl != null) {
            return explicitQueueUrl;
        }
        return urlsByArn.computeIfAbsent(arn.arn(), k -> sqs.getQueueUrl(r -> r.queueName(arn.name())
                .queueOwnerAWSAccountId(arn.account())).queueUrl());
    }

    /**
     * @param source the source queue's ARN
     * @return the URL of its dead-letter queue, if one is configured or named by its redrive policy
     */
    public Optional<String> deadLetterQueueUrl(QueueArn source) {
        if (explicitDlqUrl != null) {
            return Optional.of(explicitDlqUrl);
        }
        if (dlqName != null) {
            return Optional.of(urlsByName.computeIfAbsent(dlqName, name -> sqs.getQueueUrl(r -> r.queueName(name)).queueUrl()));
        }
        String cached = dlqUrlsBySourceArn.get(source.arn());
        if (cached != null) {
            return Optional.of(cached);
        }
        GetQueueAttributesResponse attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl(source))
                .attributeNames(QueueAttributeName.REDRIVE_POLICY));
        String policy = attributes.attributes().get(QueueAttributeName.REDRIVE_POLICY);
        Optional<QueueArn> target = redrivePolicyTarget(policy);
        if (target.isEmpty()) {
            return Optional.empty();
        }
        String url = sqs.getQueueUrl(r -> r.queueName(target.get().name()).queueOwnerAWSAccountId(target.get().account()))
                .queueUrl();
        dlqUrlsBySourceArn.put(source.arn(), url);
        return Optional.of(url);
    }

    /**
     * @param redrivePolicy a queue's {@code RedrivePolicy} attribute, or null
     * @return its {@code deadLetterTargetArn}, if readable
     */
    public static Optional<QueueArn> redrivePolicyTarget(@Nullable String redrivePolicy) {
        if (redrivePolicy == null || redrivePolicy.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(redrivePolicy);
            String arn = node.path("deadLetterTargetArn").asText("");
            return arn.isEmpty() ? Optional.empty() : Optional.of(QueueArn.parse(arn));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * @param redriveAllowPolicy a dead-letter queue's {@code RedriveAllowPolicy} attribute, or null
     * @return the one source queue its {@code sourceQueueArns} names; empty when it names none, several, or is
     *     unreadable
     */
    public static Optional<QueueArn> redriveAllowSource(@Nullable String redriveAllowPolicy) {
        if (redriveAllowPolicy == null || redriveAllowPolicy.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode arns = MAPPER.readTree(redriveAllowPolicy).path("sourceQueueArns");
            JsonNode only = arns.isArray() && arns.size() == 1 ? arns.get(0) : arns.isTextual() ? arns : null;
            return only == null ? Optional.empty() : Optional.of(QueueArn.parse(only.asText()));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** @return the URLs resolved so far, by ARN (for tests and priming) */
    public Map<String, String> resolved() {
        return Map.copyOf(urlsByArn);
    }
}
