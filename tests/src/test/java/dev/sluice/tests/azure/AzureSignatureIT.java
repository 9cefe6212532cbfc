package dev.sluice.tests.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.azure.testing.FunctionsHostSimulator;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.azure.testing.Order;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.VersionedCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.AuditRecord;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Form-1 signatures on the Azure path (the broker model, the Functions host simulator, the local Cosmos server): a
 * replay under a new Service Bus messageId is a duplicate, a changed signed property or a stale, future or body-only
 * signature is parked as SIGNATURE_INVALID with its reason, and a redriven parked message still verifies.
 */
class AzureSignatureIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    static final String QUEUE = "orders";
    static final String PARKING = "orders-parking";
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final MessageSignatures SIGNER = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", SECRET)));
    /** The consumer's SLUICE_SIGNING_KEYS: the producer's key. */
    static final String KEY_SPEC = "k1:" + Base64.getEncoder().encodeToString(SECRET);

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final InMemoryServiceBus broker = new InMemoryServiceBus(clock);
    final Map<String, Integer> applied = new ConcurrentHashMap<>();
    final List<MessageOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    /** Order ids the downstream rejects permanently, once each. */
    final Set<String> rejectOnce = ConcurrentHashMap.newKeySet();
    FunctionsHostSimulator host;

    /** Starts a consumer configured with the producer's key and default key settings (no key pointer), then {@code settings}. */
    private void startConsumer(Consumer<SluiceConfig.Builder> settings) {
        broker.createQueue(QUEUE, InMemoryServiceBus.QueueSettings.defaults());
        broker.createQueue(PARKING, InMemoryServiceBus.QueueSettings.defaults());
        SluiceConfig.Builder config = SluiceConfig.builder().queueName(QUEUE).signingKeys(KEY_SPEC);
        settings.accept(config);
        BatchProcessor<Order> processor = BatchProcessor.<Order>builder()
                .config(config.build())
                .handler((message, context) -> {
                    String id = message.body().orderId();
                    if (rejectOnce.remove(id)) {
                        throw new PermanentFailureException("downstream rejects " + id);
                    }
                    applied.merge(id, 1, Integer::sum);
                })
                .codec(VersionedCodec.<Order>builder("order").current(1, JsonCodec.of(Order.class)).build())
                .idempotency(IdempotencyOptions.builder()
                        .store(CosmosIdempotencyStore.builder().container(COSMOS.get().newContainer("sluice-signature")).build())
                        .build())
                .clock(clock)
                .logSink(event -> { })
                .build();
        ServiceBusBatchConsumer<Order> consumer = ServiceBusBatchConsumer.<Order>builder()
                .processor(processor).publisher(broker).parkingQueue(PARKING).clock(clock).logSink(event -> { }).build();
        host = new FunctionsHostSimulator(broker, clock, QUEUE, false, 32, batch -> outcomes.addAll(consumer.process(batch).outcomes()));
    }

    private void startConsumer() {
        startConsumer(config -> { });
    }

    /** A message as a producer sends it: body and application properties. */
    private record Sent(byte[] body, Map<String, String> properties) {
        Sent with(String name, String value) {
            Map<String, String> changed = new LinkedHashMap<>(properties);
            if (value == null) {
                changed.remove(name);
            } else {
                changed.put(name, value);
            }
            return new Sent(body, changed);
        }
    }

    private static byte[] order(String orderId) {
        return ("{\"orderId\":\"" + orderId + "\",\"customerId\":\"c-1\",\"amountCents\":1250,\"currency\":\"EUR\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> v1(Map<String, String> extra) {
        Map<String, String> properties = new LinkedHashMap<>(Map.of(SluiceAttributes.MESSAGE_TYPE, "order", SluiceAttributes.SCHEMA_VERSION, "1"));
        properties.putAll(extra);
        return properties;
    }

    /** @return order {@code orderId} signed in form 1 at {@code sentAt}, with {@code extra} producer properties */
    private static Sent signed(String orderId, Map<String, String> extra, Instant sentAt) {
        byte[] body = order(orderId);
        Map<String, String> properties = v1(extra);
        properties.putAll(SIGNER.sign(body, properties, sentAt));
        return new Sent(body, properties);
    }

    private Sent signed(String orderId, Map<String, String> extra) {
        return signed(orderId, extra, clock.instant());
    }

    /** @return the Service Bus messageId, new on every send */
    private String send(Sent message) {
        String messageId = UUID.randomUUID().toString();
        broker.send(QUEUE, new OutgoingMessage(messageId, message.body(), message.properties(), null, null, "application/json", null));
        return messageId;
    }

    /** @return the parked messages' properties, by the messageId they were sent with */
    private Map<String, Map<String, String>> parked() {
        return broker.messages(PARKING).stream().collect(Collectors.toMap(
                s -> s.properties().get(SluiceAttributes.ORIGINAL_MESSAGE_ID), InMemoryServiceBus.Stored::properties));
    }

    private static void assertRefused(Map<String, String> parked, String errorType, String reason) {
        assertThat(parked).containsEntry(SluiceAttributes.FAILURE_KIND, "SIGNATURE_INVALID")
                .containsEntry(SluiceAttributes.ERROR_TYPE, errorType)
                .containsEntry(SluiceAttributes.SOURCE_QUEUE, QUEUE);
        assertThat(parked.get(SluiceAttributes.ERROR_MESSAGE)).contains(reason);
    }

    @Test
    void aSignedMessageReplayedUnderANewMessageId_isADuplicate_appliedOnce() {
        // GIVEN a consumer with default key settings, and a signed order whose producer set only sluice-message-id
        startConsumer();
        Sent payment = signed("o-1", Map.of(SluiceAttributes.MESSAGE_ID, "pay-1"));
        // WHEN it is sent and processed, then sent again unchanged under a new messageId and processed
        send(payment);
        host.runUntilIdle(10);
        String replay = send(payment);
        host.runUntilIdle(10);
        // THEN the replay is a duplicate: the order was applied once and nothing was parked
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-1", 1));
        assertThat(outcomes).filteredOn(MessageOutcome.Duplicate.class::isInstance)
                .extracting(o -> o.message().id()).containsExactly(replay);
        assertThat(broker.messages(PARKING)).isEmpty();
        assertThat(broker.messages(QUEUE)).isEmpty();
    }

    @Test
    void theIdempotencyKeyChangedRemovedOrAdded_isRefused_neverApplied() {
        // GIVEN a consumer, a signed order with idempotency-key pay-2, and one signed with only sluice-message-id
        startConsumer();
        Sent keyed = signed("o-2", Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "pay-2", SluiceAttributes.MESSAGE_ID, "m-2"));
        Sent unkeyed = signed("o-3", Map.of(SluiceAttributes.MESSAGE_ID, "m-3"));
        // WHEN copies are sent with the key changed, removed and added
        List<String> ids = List.of(send(keyed.with(SluiceAttributes.IDEMPOTENCY_KEY, "pay-2-again")),
                send(keyed.with(SluiceAttributes.IDEMPOTENCY_KEY, null)),
                send(unkeyed.with(SluiceAttributes.IDEMPOTENCY_KEY, "pay-3")));
        host.runUntilIdle(10);
        // THEN none was applied, and each is parked as SIGNATURE_INVALID with the reason
        assertThat(applied).isEmpty();
        Map<String, Map<String, String>> parked = parked();
        assertThat(parked).containsOnlyKeys(ids);
        assertThat(parked.values()).allSatisfy(p -> assertRefused(p, "SignatureInvalid", "signed attributes"));
    }

    @Test
    void contentEncodingMessageTypeOrSchemaVersionChanged_isRefused_neverDecoded() {
        // GIVEN a consumer and a signed order
        startConsumer();
        Sent order = signed("o-4", Map.of(SluiceAttributes.MESSAGE_ID, "m-4"));
        // WHEN copies are sent with content-encoding added, message-type changed and schema-version changed
        List<String> ids = List.of(send(order.with(SluiceAttributes.CONTENT_ENCODING, "gzip")),
                send(order.with(SluiceAttributes.MESSAGE_TYPE, "refund")),
                send(order.with(SluiceAttributes.SCHEMA_VERSION, "2")));
        host.runUntilIdle(10);
        // THEN none was applied, and each is SIGNATURE_INVALID (refused before decoding, so not POISON)
        assertThat(applied).isEmpty();
        Map<String, Map<String, String>> parked = parked();
        assertThat(parked).containsOnlyKeys(ids);
        assertThat(parked.values()).allSatisfy(p -> assertRefused(p, "SignatureInvalid", "signed attributes"));
    }

    @Test
    void aStaleOrFutureSentAt_isRefused_withTheReasonOnTheParkedMessage() {
        // GIVEN a consumer that accepts signed messages up to 60 s old (and the default 300 s clock skew)
        startConsumer(config -> config.signatureMaxAge(Duration.ofSeconds(60)));
        Instant now = clock.instant();
        // WHEN one order signed 10 minutes ago, one signed 10 minutes ahead and one signed now are sent
        String stale = send(signed("o-stale", Map.of(SluiceAttributes.MESSAGE_ID, "m-stale"), now.minus(Duration.ofMinutes(10))));
        String future = send(signed("o-future", Map.of(SluiceAttributes.MESSAGE_ID, "m-future"), now.plus(Duration.ofMinutes(10))));
        send(signed("o-fresh", Map.of(SluiceAttributes.MESSAGE_ID, "m-fresh"), now));
        host.runUntilIdle(10);
        // THEN only the fresh order was applied
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-fresh", 1));
        // AND the parked copies say why: 600 s old where 60 s are accepted, or 600 s ahead where 300 s are allowed
        Map<String, Map<String, String>> parked = parked();
        assertThat(parked).containsOnlyKeys(stale, future);
        assertRefused(parked.get(stale), "SignatureStale", "600 s ago; the most accepted is 60 s");
        assertRefused(parked.get(future), "SignatureFromFuture", "600 s ahead of this consumer; the clock skew allowed is 300 s");
    }

    @Test
    void aRedriveWithinTheWindow_stillVerifies_andIsProcessedOnce() {
        // GIVEN a consumer that accepts signed messages up to 10 minutes old, whose downstream rejects o-5 once
        startConsumer(config -> config.signatureMaxAge(Duration.ofMinutes(10)));
        rejectOnce.add("o-5");
        Sent order = signed("o-5", Map.of(SluiceAttributes.MESSAGE_ID, "m-5"));
        String sent = send(order);
        // WHEN it is processed
        host.runUntilIdle(10);
        // THEN it is parked as PERMANENT, not applied
        assertThat(applied).isEmpty();
        assertThat(parked()).containsOnlyKeys(sent).allSatisfy((id, p) ->
                assertThat(p).containsEntry(SluiceAttributes.FAILURE_KIND, "PERMANENT").containsAllEntriesOf(order.properties()));
        // WHEN five minutes later the operator redrives the parking queue with Sluice's selective redrive
        clock.advance(Duration.ofMinutes(5));
        ServiceBusRedrive redrive = ServiceBusRedrive.of(broker, broker).withReceiveWait(Duration.ZERO);
        List<AuditRecord> audit = new ArrayList<>();
        RedriveReport report = new RedriveEngine(clock, wait -> { }, audit::add).run(
                RedriveRequest.builder().operator("oncall").confirmed(true).build(),
                redrive.parkingQueue(PARKING), redrive.queue(QUEUE), RedriveListener.NONE);
        // THEN it moved one message, whose copy adds only unsigned bookkeeping
        assertThat(report.moved()).isEqualTo(1);
        assertThat(report.failed()).isZero();
        assertThat(audit).singleElement().satisfies(a -> assertThat(a.operator()).isEqualTo("oncall"));
        assertThat(broker.messages(QUEUE)).singleElement().satisfies(copy -> {
            assertThat(copy.properties()).containsAllEntriesOf(order.properties())
                    .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1")
                    .doesNotContainKeys(SluiceAttributes.FAILURE_KIND, SluiceAttributes.ERROR_TYPE, SluiceAttributes.ERROR_MESSAGE);
        });
        // WHEN the host runs
        outcomes.clear();
        host.runUntilIdle(10);
        // THEN the redriven copy verified and was applied exactly once; both queues are empty
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-5", 1));
        assertThat(outcomes).singleElement().isInstanceOf(MessageOutcome.Processed.class);
        assertThat(broker.messages(PARKING)).isEmpty();
        assertThat(broker.messages(QUEUE)).isEmpty();
        // AND the same signed message replayed afterwards is a duplicate
        send(order);
        host.runUntilIdle(10);
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-5", 1));
        assertThat(outcomes).last().isInstanceOf(MessageOutcome.Duplicate.class);
        assertThat(broker.messages(PARKING)).isEmpty();
    }

    @Test
    void aBodyOnlySignature_isRefusedByDefault() {
        // GIVEN a consumer with default settings and an order with a legacy body-only signature
        startConsumer();
        String id = send(bodyOnly("o-legacy"));
        // WHEN the host delivers it
        host.runUntilIdle(10);
        // THEN it is parked as body-only, never applied
        assertThat(applied).isEmpty();
        Map<String, Map<String, String>> parked = parked();
        assertThat(parked).containsOnlyKeys(id);
        assertRefused(parked.get(id), "SignatureBodyOnly", "body-only signature covers no attribute and no time");
    }

    @Test
    void aBodyOnlySignature_isAcceptedWhileMigrating() {
        // GIVEN a consumer with SLUICE_SIGNATURE_ACCEPT_BODY_ONLY=true and an order with a body-only signature
        startConsumer(config -> config.acceptBodyOnlySignatures(true));
        send(bodyOnly("o-legacy"));
        // WHEN the host delivers it
        host.runUntilIdle(10);
        // THEN it is applied once and nothing is parked
        assertThat(applied).containsExactlyEntriesOf(Map.of("o-legacy", 1));
        assertThat(outcomes).singleElement().isInstanceOf(MessageOutcome.Processed.class);
        assertThat(broker.messages(PARKING)).isEmpty();
    }

    private static Sent bodyOnly(String orderId) {
        byte[] body = order(orderId);
        Map<String, String> properties = v1(Map.of());
        properties.putAll(SIGNER.signBodyOnly(body));
        return new Sent(body, properties);
    }
}
