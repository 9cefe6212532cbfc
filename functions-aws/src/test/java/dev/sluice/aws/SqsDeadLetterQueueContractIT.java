package dev.sluice.aws;

import dev.sluice.aws.internal.SqsAttributes;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.testing.DeadLetterQueueContract;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The dead-letter-queue contract on SQS (ElasticMQ): a FIFO queue and its DLQ, opened by the consumer queue's name,
 * the way {@code sluice dlq} opens them. Attributes beyond SQS's 10 travel packed, binary ones included.
 */
@ExtendWith(Engines.class)
class SqsDeadLetterQueueContractIT extends DeadLetterQueueContract {
    private SqsClient sqs;
    private Queues.Pair pair;

    /** @return whether the pair is FIFO */
    boolean fifo() {
        return true;
    }

    @Override
    protected DeadLetterQueue newQueue() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        pair = Queues.create(sqs, "contract", fifo(), 30, 3);
        return SqsDeadLetterQueue.open(sqs, pair.name());
    }

    @AfterEach
    void closeClient() {
        sqs.close();
    }

    @Override
    protected void seed(Seed seed) {
        sqs.sendMessage(r -> {
            r.queueUrl(pair.dlqUrl()).messageBody(new String(seed.body(), StandardCharsets.UTF_8))
                    .messageAttributes(SqsAttributes.pack(SqsAttributes.fromCore(seed.attributes())));
            if (fifo()) {
                r.messageGroupId(seed.groupId()).messageDeduplicationId(UUID.randomUUID().toString());
            }
        });
    }

    @Override
    protected List<Arrived> drainTarget() {
        return Queues.receiveAll(sqs, pair.url()).stream()
                .map(m -> new Arrived(m.body().getBytes(StandardCharsets.UTF_8),
                        SqsAttributes.toCore(SqsAttributes.unpack(m.messageAttributes())),
                        m.attributesAsStrings().get(MessageSystemAttributeName.MESSAGE_GROUP_ID.toString()), null))
                .toList();
    }

    @Override
    protected boolean hasGroups() {
        return fifo();
    }

    @Override
    protected boolean hasContentType() {
        return false;
    }

    @Override
    protected boolean bodiesAreBytes() {
        return false;
    }
}
