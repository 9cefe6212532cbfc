package dev.sluice.aws.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Creates queue pairs (queue + DLQ with a real redrive policy) and reads queues for assertions. */
public final class Queues {
    private Queues() {}

    /**
     * A queue and its dead-letter queue.
     *
     * @param name the queue's name
     * @param url the queue's URL
     * @param arn the queue's ARN
     * @param dlqUrl the DLQ's URL
     * @param dlqArn the DLQ's ARN
     */
    public record Pair(String name, String url, String arn, String dlqUrl, String dlqArn) {}

    /**
     * @param sqs a client
     * @param prefix a readable prefix
     * @param fifo whether both are FIFO queues
     * @param visibilityTimeoutSeconds the queue's visibility timeout
     * @param maxReceiveCount the redrive policy's {@code maxReceiveCount}
     * @return the pair
     */
    public static Pair create(SqsClient sqs, String prefix, boolean fifo, int visibilityTimeoutSeconds, int maxReceiveCount) {
        String base = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String suffix = fifo ? ".fifo" : "";
        Map<QueueAttributeName, String> dlqAttributes = new HashMap<>();
        if (fifo) {
            dlqAttributes.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        String dlqUrl = sqs.createQueue(r -> r.queueName(base + "-dlq" + suffix).attributes(dlqAttributes)).queueUrl();
        String dlqArn = arn(sqs, dlqUrl);
        Map<QueueAttributeName, String> attributes = new HashMap<>();
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds));
        attributes.put(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}");
        if (fifo) {
            attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
        }
        String url = sqs.createQueue(r -> r.queueName(base + suffix).attributes(attributes)).queueUrl();
        return new Pair(base + suffix, url, arn(sqs, url), dlqUrl, dlqArn);
    }

    /**
     * @param sqs a client
     * @param url a queue
     * @return its ARN
     */
    public static String arn(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /**
     * Receives everything visible, hiding it for a minute (for assertions at the end of a test).
     *
     * @param sqs a client
     * @param url a queue
     * @return the messages
     */
    public static List<Message> receiveAll(SqsClient sqs, String url) {
        List<Message> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(60).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
            if (batch.isEmpty()) {
                break;
            }
            all.addAll(batch);
        }
        return all;
    }
}
