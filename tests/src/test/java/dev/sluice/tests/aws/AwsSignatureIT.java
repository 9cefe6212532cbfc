package dev.sluice.tests.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.SqsDeadLetterSource;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.Tables;
import dev.sluice.cli.ExitCodes;
import dev.sluice.cli.SluiceCli;
import dev.sluice.cli.backend.CloudBackends;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.VersionedCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Form-1 signatures on the AWS path (ElasticMQ, moto DynamoDB, the local event source mapping): a replay under a
 * new SQS message id is a duplicate, a changed signed attribute or a stale, future or body-only signature is
 * dead-lettered as SIGNATURE_INVALID with its reason, and a redriven dead letter still verifies.
 */
@ExtendWith(Engines.class)
class AwsSignatureIT {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final MessageSignatures SIGNER = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", SECRET)));
    /** The consumer's SLUICE_SIGNING_KEYS: the producer's key. */
    static final String KEY_SPEC = "k1:" + Base64.getEncoder().encodeToString(SECRET);

    @TempDir Path dir;
    private SqsClient sqs;
    private DynamoDbClient dynamo;
    private Queues.Pair queue;
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final Map<String, Integer> applied = new ConcurrentHashMap<>();
    /** Order ids the downstream rejects permanently, once each. */
    private final Set<String> rejectOnce = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
        queue = Queues.create(sqs, "signature", false, 2, 5);
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    /** A consumer configured with the producer's key and default key settings (no key pointer), then {@code settings}. */
    private SqsBatchConsumer<Order> consumer(Consumer<SluiceConfig.Builder> settings) {
        SluiceConfig.Builder config = SluiceConfig.builder().queueName(queue.name()).maxAttempts(3)
                .retryBackoff(Duration.ofMillis(100)).retryBackoffMax(Duration.ofMillis(200))
                .idempotencyTable(Tables.create(dynamo, "signature")).signingKeys(KEY_SPEC);
        settings.accept(config);
        return SqsBatchConsumer.<Order>builder()
                .codec(VersionedCodec.<Order>builder("order").current(2, JsonCodec.of(Order.class)).build())
                .config(config.build())
                .sqsClient(sqs).dynamoDbClient(dynamo).queueUrl(queue.url()).deadLetterQueueUrl(queue.dlqUrl())
                .handler((message, context) -> {
                    String id = message.body().orderId();
                    if (rejectOnce.remove(id)) {
                        throw new PermanentFailureException("downstream rejects " + id);
                    }
                    applied.merge(id, 1, Integer::sum);
                })
                .metrics(metrics).logSink(event -> { }).snapStartPriming(false).build();
    }

    private SqsBatchConsumer<Order> consumer() {
        return consumer(config -> { });
    }

    /** A message as a producer sends it: body and attributes. */
    private record Sent(String body, Map<String, String> attributes) {
        Sent with(String name, String value) {
            Map<String, String> changed = new LinkedHashMap<>(attributes);
            if (value == null) {
                changed.remove(name);
            } else {
                changed.put(name, value);
            }
            return new Sent(body, changed);
        }
    }

    /** @return order {@code orderId} signed in form 1 at {@code sentAt}, with {@code extra} producer attributes */
    private static Sent signed(String orderId, Map<String, String> extra, Instant sentAt) {
        String body = "{\"orderId\":\"" + orderId + "\",\"customerId\":\"c-1\",\"amount\":12}";
        Map<String, String> attributes = new LinkedHashMap<>(Map.of(SluiceAttributes.MESSAGE_TYPE, "order",
                SluiceAttributes.SCHEMA_VERSION, "2"));
        attributes.putAll(extra);
        attributes.putAll(SIGNER.sign(body.getBytes(StandardCharsets.UTF_8), attributes, sentAt));
        return new Sent(body, attributes);
    }

    private static Sent signed(String orderId, Map<String, String> extra) {
        return signed(orderId, extra, Instant.now());
    }

    /** @return the SQS message id */
    private String send(Sent message) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        message.attributes().forEach((k, v) -> attributes.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        return sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(message.body()).messageAttributes(attributes)).messageId();
    }

    private static void drain(SqsBatchConsumer<Order> consumer, SqsClient sqs, String url) {
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(url).batchSize(10)
                .function((event, context) -> consumer.handle(event, context)).build()) {
            assertThat(esm.drain(Duration.ofSeconds(60))).as("queue drained").isTrue();
        }
    }

    private void drain(SqsBatchConsumer<Order> consumer) {
        drain(consumer, sqs, queue.url());
    }

    /** @return every dead letter, by the SQS message id it was sent with; left visible for a later redrive */
    private Map<String, DeadLetter> deadLetters() {
        SqsDeadLetterSource source = new SqsDeadLetterSource(sqs, queue.dlqUrl(), Duration.ofSeconds(30));
        List<DeadLetter> dead = new ArrayList<>();
        for (List<DeadLetter> batch = source.receive(10); !batch.isEmpty(); batch = source.receive(10)) {
            dead.addAll(batch);
        }
        dead.forEach(source::release);
        return dead.stream().collect(Collectors.toMap(DeadLetter::originalMessageId, d -> d));
    }

    /** The result of one {@code sluice} command. */
    private record Run(int exitCode, String out, String err) {}

    private Run cli(String command, String... more) {
        List<String> args = new ArrayList<>(List.of("dlq", command, "--aws-queue", queue.name(), "--endpoint", Engines.sqs().toString()));
        args.addAll(List.of(more));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = SluiceCli.commandLine(new CloudBackends(), new BufferedReader(new StringReader("")));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertRefused(DeadLetter dead, String errorType, String reason) {
        var envelope = dead.envelope().orElseThrow();
        assertThat(envelope.failureKind().name()).isEqualTo("SIGNATURE_INVALID");
        assertThat(envelope.errorType()).isEqualTo(errorType);
        assertThat(envelope.errorMessage()).contains(reason);
    }

    @Test
    void aSignedMessageReplayedUnderANewSqsMessageId_isADuplicate_appliedOnce() {
        // GIVEN a consumer with default key settings, and a signed order whose producer set only sluice-message-id
        SqsBatchConsumer<Order> consumer = consumer();
        Sent payment = signed("o-1", Map.of(SluiceAttributes.MESSAGE_ID, "pay-1"));
        // WHEN it is sent and processed, then sent again unchanged (SQS gives it a new message id) and processed
        String first = send(payment);
        drain(consumer);
        String replay = send(payment);
        drain(consumer);
        // THEN the replay is a duplicate: the order was applied once and nothing was dead-lettered
        assertThat(replay).isNotEqualTo(first);
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-1", 1));
        assertThat(metrics.total(SluiceMetrics.DUPLICATE)).isEqualTo(1);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void theIdempotencyKeyChangedRemovedOrAdded_isRefused_neverApplied() {
        // GIVEN a consumer, a signed order with idempotency-key pay-2, and one signed with only sluice-message-id
        SqsBatchConsumer<Order> consumer = consumer();
        Sent keyed = signed("o-2", Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "pay-2", SluiceAttributes.MESSAGE_ID, "m-2"));
        Sent unkeyed = signed("o-3", Map.of(SluiceAttributes.MESSAGE_ID, "m-3"));
        // WHEN copies are sent with the key changed, removed and added
        Map<String, String> tampered = new LinkedHashMap<>();
        tampered.put(send(keyed.with(SluiceAttributes.IDEMPOTENCY_KEY, "pay-2-again")), "changed");
        tampered.put(send(keyed.with(SluiceAttributes.IDEMPOTENCY_KEY, null)), "removed");
        tampered.put(send(unkeyed.with(SluiceAttributes.IDEMPOTENCY_KEY, "pay-3")), "added");
        drain(consumer);
        // THEN none was applied, and the DLQ holds each as SIGNATURE_INVALID with the reason
        assertThat(applied).isEmpty();
        Map<String, DeadLetter> dead = deadLetters();
        assertThat(dead).containsOnlyKeys(tampered.keySet());
        assertThat(dead.values()).allSatisfy(d -> assertRefused(d, "SignatureInvalid", "signed attributes"));
    }

    @Test
    void contentEncodingMessageTypeOrSchemaVersionChanged_isRefused_neverDecoded() {
        // GIVEN a consumer and a signed order
        SqsBatchConsumer<Order> consumer = consumer();
        Sent order = signed("o-4", Map.of(SluiceAttributes.MESSAGE_ID, "m-4"));
        // WHEN copies are sent with content-encoding added, message-type changed and schema-version changed
        List<String> ids = List.of(send(order.with(SluiceAttributes.CONTENT_ENCODING, "gzip")),
                send(order.with(SluiceAttributes.MESSAGE_TYPE, "refund")),
                send(order.with(SluiceAttributes.SCHEMA_VERSION, "1")));
        drain(consumer);
        // THEN none was applied, and each is SIGNATURE_INVALID (refused before decoding, so not POISON)
        assertThat(applied).isEmpty();
        Map<String, DeadLetter> dead = deadLetters();
        assertThat(dead).containsOnlyKeys(ids);
        assertThat(dead.values()).allSatisfy(d -> assertRefused(d, "SignatureInvalid", "signed attributes"));
    }

    @Test
    void aStaleOrFutureSentAt_isRefused_withTheReasonInTheDeadLetter() {
        // GIVEN a consumer that accepts signed messages up to 60 s old (and the default 300 s clock skew)
        SqsBatchConsumer<Order> consumer = consumer(config -> config.signatureMaxAge(Duration.ofSeconds(60)));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        // WHEN one order signed 10 minutes ago, one signed 10 minutes ahead and one signed now are sent
        String stale = send(signed("o-stale", Map.of(SluiceAttributes.MESSAGE_ID, "m-stale"), now.minus(Duration.ofMinutes(10))));
        String future = send(signed("o-future", Map.of(SluiceAttributes.MESSAGE_ID, "m-future"), now.plus(Duration.ofMinutes(10))));
        send(signed("o-fresh", Map.of(SluiceAttributes.MESSAGE_ID, "m-fresh"), now));
        drain(consumer);
        // THEN only the fresh order was applied
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-fresh", 1));
        // AND the dead letters say why: stale beyond 60 s, or further ahead than 300 s
        Map<String, DeadLetter> dead = deadLetters();
        assertThat(dead).containsOnlyKeys(stale, future);
        assertRefused(dead.get(stale), "SignatureStale", "the most accepted is 60 s");
        assertRefused(dead.get(future), "SignatureFromFuture", "the clock skew allowed is 300 s");
    }

    @Test
    void dlqInspect_showsWhyASignedMessageWasRefused() {
        // GIVEN an order refused as stale by a consumer that accepts signed messages up to 60 s old
        SqsBatchConsumer<Order> consumer = consumer(config -> config.signatureMaxAge(Duration.ofSeconds(60)));
        send(signed("o-old", Map.of(SluiceAttributes.MESSAGE_ID, "m-old"), Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .minus(Duration.ofMinutes(10))));
        drain(consumer);
        // WHEN the operator inspects the DLQ
        Run inspect = cli("inspect", "--messages");
        // THEN the output shows the kind, the error type and the reason
        assertThat(inspect.exitCode()).as(inspect.err()).isEqualTo(ExitCodes.OK);
        assertThat(inspect.out()).contains("1 dead letters read, 1 groups").containsPattern("SIGNATURE_INVALID\\s+1\\s")
                .contains("SignatureStale").contains("the most accepted is 60 s");
        assertThat(applied).isEmpty();
    }

    @Test
    void aRedriveWithinTheWindow_stillVerifies_andIsProcessedOnce() {
        // GIVEN a consumer that accepts signed messages up to 10 minutes old, whose downstream rejects o-5 once
        SqsBatchConsumer<Order> consumer = consumer(config -> config.signatureMaxAge(Duration.ofMinutes(10)));
        rejectOnce.add("o-5");
        Sent order = signed("o-5", Map.of(SluiceAttributes.MESSAGE_ID, "m-5"));
        String sent = send(order);
        // WHEN it is processed
        drain(consumer);
        // THEN it is dead-lettered as PERMANENT, not applied, its signed attributes unchanged (SQS's limit of 10
        // attributes makes the dead letter pack some of them)
        assertThat(applied).isEmpty();
        assertThat(deadLetters()).containsOnlyKeys(sent).allSatisfy((id, d) -> {
            assertThat(d.envelope().orElseThrow().failureKind().name()).isEqualTo("PERMANENT");
            assertThat(d.attributes()).containsAllEntriesOf(order.attributes());
        });
        // WHEN the operator redrives it with Sluice's selective redrive, and the consumer runs again
        Run redrive = cli("redrive", "--yes", "--operator", "oncall", "--audit-log", dir.resolve("audit.jsonl").toString());
        assertThat(redrive.exitCode()).as(redrive.err()).isEqualTo(ExitCodes.OK);
        assertThat(redrive.out()).contains("moved 1").contains("failed 0");
        drain(consumer);
        // THEN the redriven copy verified and was applied exactly once, and the DLQ is empty
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-5", 1));
        assertThat(deadLetters()).isEmpty();
        // AND the same signed message replayed afterwards is a duplicate
        send(order);
        drain(consumer);
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-5", 1));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aBodyOnlySignature_isRefusedByDefault() {
        // GIVEN a consumer with default settings and an order with a legacy body-only signature
        SqsBatchConsumer<Order> consumer = consumer();
        String id = send(bodyOnly("o-legacy"));
        // WHEN it is processed
        drain(consumer);
        // THEN it is refused as body-only, never applied
        assertThat(applied).isEmpty();
        Map<String, DeadLetter> dead = deadLetters();
        assertThat(dead).containsOnlyKeys(id);
        assertRefused(dead.get(id), "SignatureBodyOnly", "body-only signature covers no attribute and no time");
    }

    @Test
    void aBodyOnlySignature_isAcceptedWhileMigrating() {
        // GIVEN a consumer with SLUICE_SIGNATURE_ACCEPT_BODY_ONLY=true and an order with a body-only signature
        SqsBatchConsumer<Order> consumer = consumer(config -> config.acceptBodyOnlySignatures(true));
        send(bodyOnly("o-legacy"));
        // WHEN it is processed
        drain(consumer);
        // THEN it is applied once and nothing is dead-lettered
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-legacy", 1));
        assertThat(deadLetters()).isEmpty();
    }

    private static Sent bodyOnly(String orderId) {
        String body = "{\"orderId\":\"" + orderId + "\",\"customerId\":\"c-1\",\"amount\":12}";
        Map<String, String> attributes = new LinkedHashMap<>(Map.of(SluiceAttributes.MESSAGE_TYPE, "order",
                SluiceAttributes.SCHEMA_VERSION, "2"));
        attributes.putAll(SIGNER.signBodyOnly(body.getBytes(StandardCharsets.UTF_8)));
        return new Sent(body, attributes);
    }
}
