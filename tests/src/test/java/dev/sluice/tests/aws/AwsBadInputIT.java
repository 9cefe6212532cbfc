package dev.sluice.tests.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.SqsDeadLetterSource;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Events;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.core.codec.VersionedCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.spi.LogSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Bad input on the AWS path: every kind of hostile or broken message is quarantined with the right failure
 * kind, the rest of its batch is processed, and no log line carries a body or a stack trace. Inputs SQS itself
 * refuses are shown refused at the producer, and then fed to the consumer as a Lambda event would carry them.
 */
@ExtendWith(Engines.class)
class AwsBadInputIT {
    /** SQS's message size limit, body and attributes together. */
    static final int SQS_LIMIT = 256 * 1024;
    static final String MARKER = "BODY-MARKER-7f3a";
    static final SigningKeys KEYS = SigningKeys.of("k1", Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
    static final MessageSignatures SIGNER = MessageSignatures.with(KEYS);

    private SqsClient sqs;
    private DynamoDbClient dynamo;
    private Queues.Pair queue;
    private final ConcurrentLinkedQueue<LogSink.Event> logs = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> handled = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
        queue = Queues.create(sqs, "bad-input", false, 2, 5);
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    private SqsBatchConsumer<Order> consumer() {
        VersionedCodec<Order> codec = VersionedCodec.<Order>builder("order").current(2, JsonCodec.of(Order.class)).build();
        return SqsBatchConsumer.<Order>builder().codec(codec)
                .config(SluiceConfig.builder().queueName(queue.name()).maxAttempts(3).retryBackoff(Duration.ofMillis(100))
                        .retryBackoffMax(Duration.ofMillis(200)).idempotencyTable(Tables.create(dynamo, "bad-input"))
                        .idempotencyKeyPointer("/orderId").build())
                .processor(p -> p.signatures(SIGNER))
                .sqsClient(sqs).dynamoDbClient(dynamo).queueUrl(queue.url()).deadLetterQueueUrl(queue.dlqUrl())
                .handler((message, context) -> handled.merge(message.body().orderId(), 1, Integer::sum))
                .logSink(logs::add).metrics(new dev.sluice.core.observability.InMemoryMetrics()).snapStartPriming(false)
                .build();
    }

    /** @return signed current-version attributes for {@code body}, plus {@code extra} */
    private static Map<String, String> signed(byte[] body, Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>(Map.of(SluiceAttributes.MESSAGE_TYPE, "order", SluiceAttributes.SCHEMA_VERSION, "2"));
        attributes.putAll(extra);
        // with signatures on, the idempotency key comes from signed data: a producer id per send, as a broker id was
        attributes.putIfAbsent(SluiceAttributes.MESSAGE_ID, java.util.UUID.randomUUID().toString());
        attributes.putAll(SIGNER.sign(body, attributes, java.time.Instant.now()));
        return attributes;
    }

    private static String order(String id) {
        return "{\"orderId\":\"" + id + "\",\"customerId\":\"c-1\",\"amount\":12}";
    }

    private static Map<String, MessageAttributeValue> sqsAttributes(Map<String, String> text) {
        Map<String, MessageAttributeValue> out = new HashMap<>();
        text.forEach((k, v) -> out.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        return out;
    }

    private String send(String body, Map<String, String> attributes) {
        return sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body).messageAttributes(sqsAttributes(attributes))).messageId();
    }

    private static int attributeBytes(Map<String, String> attributes) {
        return attributes.entrySet().stream().mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
                + "String".length() + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    @Test
    void hostileMessagesThroughSqs_areQuarantinedWithTheirKind_andTheRestOfTheBatchIsProcessed() {
        // GIVEN a consumer that verifies signatures and accepts schema version 2 of "order"
        SqsBatchConsumer<Order> consumer = consumer();
        Map<String, String> expectedKind = new LinkedHashMap<>();
        List<String> good = new ArrayList<>();
        // AND good orders interleaved with every kind of bad input SQS accepts
        for (int i = 1; i <= 3; i++) {
            byte[] body = order("good-" + i).getBytes(StandardCharsets.UTF_8);
            good.add(send(order("good-" + i), signed(body, Map.of())));
        }
        String deep = "[".repeat(10_000) + MARKER + "]".repeat(10_000);
        expectedKind.put(send(deep, signed(deep.getBytes(StandardCharsets.UTF_8), Map.of())), "POISON");
        String wrongTypes = "{\"orderId\":[\"" + MARKER + "\"],\"customerId\":{\"a\":1},\"amount\":\"" + MARKER + "\"}";
        expectedKind.put(send(wrongTypes, signed(wrongTypes.getBytes(StandardCharsets.UTF_8), Map.of())), "POISON");
        String future = "{\"orderId\":\"" + MARKER + "\",\"customerId\":\"c\",\"amount\":1}";
        expectedKind.put(send(future, signed(future.getBytes(StandardCharsets.UTF_8), Map.of(SluiceAttributes.SCHEMA_VERSION, "99"))), "POISON");
        // invalid UTF-8 cannot travel in an SQS string body; it arrives inside a gzip payload
        byte[] prefix = ("{\"orderId\":\"" + MARKER).getBytes(StandardCharsets.UTF_8);
        byte[] invalidUtf8 = java.util.Arrays.copyOf(prefix, prefix.length + 5);
        System.arraycopy(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'}, 0, invalidUtf8, prefix.length, 5);
        String gzipped = new String(PayloadCompression.gzipBase64(invalidUtf8), StandardCharsets.US_ASCII);
        expectedKind.put(send(gzipped, signed(gzipped.getBytes(StandardCharsets.UTF_8), PayloadCompression.attributes())), "POISON");
        String tampered = order(MARKER);
        Map<String, String> badSignature = signed(order("other").getBytes(StandardCharsets.UTF_8), Map.of());
        expectedKind.put(send(tampered, badSignature), "SIGNATURE_INVALID");
        expectedKind.put(send(order(MARKER + "-unsigned"), Map.of(SluiceAttributes.MESSAGE_TYPE, "order", SluiceAttributes.SCHEMA_VERSION, "2")),
                "SIGNATURE_INVALID");
        // a huge body exactly at SQS's limit (attributes count toward it)
        Map<String, String> hugeAttributes = signed(new byte[0], Map.of());
        int room = SQS_LIMIT - attributeBytes(hugeAttributes) - 2;
        String huge = "\"" + MARKER + "x".repeat(room - MARKER.length()) + "\"";
        Map<String, String> hugeSigned = signed(huge.getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(huge.length() + attributeBytes(hugeSigned)).isEqualTo(SQS_LIMIT);
        expectedKind.put(send(huge, hugeSigned), "POISON");

        // WHEN the event source mapping delivers them in batches of 10 until the queue is empty
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function((event, context) -> consumer.handle(event, context)).batchSize(10).build()) {
            assertThat(esm.drain(Duration.ofSeconds(60))).as("queue drained").isTrue();
        }

        // THEN every good order was handled exactly once and no bad one reached the handler
        assertThat(handled).containsOnlyKeys("good-1", "good-2", "good-3").allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(good).hasSize(3);
        // AND the DLQ holds each bad message once, with the right kind and its body unchanged
        SqsDeadLetterSource source = new SqsDeadLetterSource(sqs, queue.dlqUrl(), Duration.ofSeconds(30));
        List<DeadLetter> dead = new ArrayList<>();
        for (List<DeadLetter> batch = source.receive(10); !batch.isEmpty(); batch = source.receive(10)) {
            dead.addAll(batch);
        }
        Map<String, String> kinds = dead.stream().collect(Collectors.toMap(DeadLetter::originalMessageId,
                d -> d.envelope().orElseThrow().failureKind().name()));
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(expectedKind);
        assertThat(dead).anySatisfy(d -> assertThat(new String(d.body(), StandardCharsets.UTF_8)).isEqualTo(huge));
        // AND no log line or envelope carries a body or a stack trace
        assertNoBodyInLogs();
        assertThat(dead).allSatisfy(d -> assertThat(d.envelope().orElseThrow().errorMessage()).doesNotContain(MARKER));
    }

    @Test
    void inputsSqsRefuses_areRefusedAtTheProducer_andAConsumerHandedThemAnywayQuarantinesThem() {
        // GIVEN bodies and attributes beyond what SQS accepts
        String oversized = "\"" + "x".repeat(SQS_LIMIT) + MARKER + "\"";
        String invalidCharacters = "{\"orderId\":\"" + MARKER + "\u0000\uFFFF\"}";
        Map<String, String> elevenAttributes = new LinkedHashMap<>();
        for (int i = 0; i < 11; i++) {
            elevenAttributes.put("a" + i, "v");
        }
        String hugeSignature = "A".repeat(SQS_LIMIT);
        // WHEN a producer sends those SQS checks
        Map<String, Boolean> refused = new LinkedHashMap<>();
        refused.put("empty body", refused(() -> send("", Map.of())));
        refused.put("invalid characters", refused(() -> send(invalidCharacters, Map.of())));
        refused.put("eleven attributes", refused(() -> send(order("eleven"), elevenAttributes)));
        // THEN SQS refuses them: such a message never enters the queue, so Sluice cannot lose it. (SQS also refuses
        // a message over 256 KiB, body and attributes together; ElasticMQ 1.7.1 does not enforce that limit, so
        // the size cases are only fed to the consumer below.)
        assertThat(refused).containsEntry("empty body", true).containsEntry("invalid characters", true)
                .containsEntry("eleven attributes", true);
        // WHEN a consumer is handed them anyway in one Lambda event, between two good orders
        SqsBatchConsumer<Order> consumer = consumer();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        records.add(record("good-a", order("good-a"), signed(order("good-a").getBytes(StandardCharsets.UTF_8), Map.of())));
        records.add(record("empty", "", signed(new byte[0], Map.of())));
        records.add(record("oversized", oversized, signed(oversized.getBytes(StandardCharsets.UTF_8), Map.of())));
        records.add(record("invalid-characters", invalidCharacters, signed(invalidCharacters.getBytes(StandardCharsets.UTF_8), Map.of())));
        // 10,000 digits: the redactor's e-mail pattern is quadratic on long runs (100,000 digits take about a minute);
        // signed by the producer, since the schema version is a signed attribute (changed after signing, it is refused)
        Map<String, String> withHugeVersion = signed(order(MARKER + "-v").getBytes(StandardCharsets.UTF_8),
                Map.of(SluiceAttributes.SCHEMA_VERSION, "9".repeat(10_000)));
        records.add(record("huge-version-attribute", order(MARKER + "-v"), withHugeVersion));
        Map<String, String> withHugeSignature = new LinkedHashMap<>(Map.of(SluiceAttributes.MESSAGE_TYPE, "order",
                SluiceAttributes.SCHEMA_VERSION, "2", SluiceAttributes.SIGNATURE, hugeSignature, SluiceAttributes.KEY_ID, "k1"));
        records.add(record("huge-signature-attribute", order(MARKER + "-s"), withHugeSignature));
        records.add(record("good-b", order("good-b"), signed(order("good-b").getBytes(StandardCharsets.UTF_8), Map.of())));
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        Map<String, String> kinds = new LinkedHashMap<>();
        for (MessageOutcome outcome : consumer.outcomes(event, Instant.MAX)) {
            kinds.put(outcome.message().providerMessageId(), switch (outcome) {
                case MessageOutcome.DeadLettered d -> d.kind().name();
                default -> outcome.getClass().getSimpleName();
            });
        }

        // THEN each is quarantined with its kind and the good orders around them are processed
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(Map.of(
                "good-a", "Processed", "empty", "POISON", "oversized", "POISON", "invalid-characters", "POISON",
                "huge-version-attribute", "POISON", "huge-signature-attribute", "SIGNATURE_INVALID", "good-b", "Processed"));
        assertThat(handled).containsOnlyKeys("good-a", "good-b");
        // AND no log line carries a body or a stack trace
        assertNoBodyInLogs();
    }

    private static boolean refused(Runnable send) {
        try {
            send.run();
            return false;
        } catch (SdkException e) {
            return true;
        }
    }

    private SQSEvent.SQSMessage record(String id, String body, Map<String, String> attributes) {
        return Events.record(id, body, attributes, queue.arn());
    }

    private void assertNoBodyInLogs() {
        assertThat(logs).as("log events").isNotEmpty();
        assertThat(logs).allSatisfy(event -> {
            String line = event.message() + " " + event.fields();
            assertThat(line).doesNotContain(MARKER).doesNotContain("\tat ").doesNotContain("at dev.sluice")
                    .doesNotContain("at com.fasterxml");
        });
    }
}
