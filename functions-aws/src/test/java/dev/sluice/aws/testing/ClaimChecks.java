package dev.sluice.aws.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.LambdaJsonLogSink;
import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.spi.LogSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Consumers of text messages with a payload store, and payloads, for the claim-check tests. */
public final class ClaimChecks {
    /** A signing key set both the sender and the consumer use. */
    public static final String KEYS = "k1:" + java.util.Base64.getEncoder().encodeToString(
            "claim-check-test-secret-of-32-bytes!".getBytes(StandardCharsets.UTF_8));

    /** Bodies as UTF-8 text: the handler sees exactly the payload. */
    public static final MessageCodec<String> TEXT = new MessageCodec<>() {
        @Override
        public String decode(byte[] payload, Map<String, String> attributes) {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public byte[] encode(String body) {
            return body.getBytes(StandardCharsets.UTF_8);
        }
    };

    private ClaimChecks() {}

    /**
     * A consumer that records every body its handler gets.
     *
     * @param received where the handler adds the bodies
     * @param config the pipeline's settings (payload store, keys, ...)
     * @param sqs an SQS client
     * @param s3 an S3 client
     * @return the function to run on the local event source mapping
     */
    public static RequestHandler<SQSEvent, SQSBatchResponse> function(List<String> received, SluiceConfig config,
                                                                      SqsClient sqs, S3Client s3) {
        SqsBatchConsumer<String> consumer = SqsBatchConsumer.<String>builder().codec(TEXT).config(config)
                .sqsClient(sqs).s3Client(s3)
                .handler((message, context) -> received.add(message.body()))
                .metrics(new InMemoryMetrics())
                .logSink(LambdaJsonLogSink.toStandardOutput(LogSink.Level.ERROR))
                .snapStartPriming(false)
                .build();
        return consumer::handle;
    }

    /** @return a list the handler may add to from any thread */
    public static List<String> received() {
        return new CopyOnWriteArrayList<>();
    }

    /**
     * @param queue the queue pair
     * @param bucket the payload bucket
     * @return settings: 2 attempts, 1-second backoff, payloads in {@code bucket}
     */
    public static SluiceConfig.Builder config(Queues.Pair queue, String bucket) {
        return SluiceConfig.builder().queueName(queue.name()).maxAttempts(2).retryBackoff(Duration.ofSeconds(1))
                .retryBackoffMax(Duration.ofSeconds(1)).payloadStore("s3://" + bucket + "/claims");
    }

    /**
     * Runs the local event source mapping until the queue is empty.
     *
     * @param sqs an SQS client
     * @param queue the queue pair
     * @param function the function
     */
    public static void drain(SqsClient sqs, Queues.Pair queue, RequestHandler<SQSEvent, SQSBatchResponse> function) {
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function(function).batchSize(10).build()) {
            if (!esm.drain(Duration.ofSeconds(60))) {
                throw new AssertionError("the queue did not drain within 60 s");
            }
        }
    }

    /**
     * @param bytes the length
     * @param seed the seed
     * @return JSON-ish text that gzip barely shrinks (random letters), so it stays large after compression
     */
    public static String payload(int bytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(bytes);
        text.append("{\"blob\":\"");
        while (text.length() < bytes - 2) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.append("\"}").toString();
    }
}
