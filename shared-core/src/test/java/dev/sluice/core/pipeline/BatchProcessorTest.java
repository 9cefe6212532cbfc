package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static dev.sluice.core.testing.TestMessages.grouped;
import static dev.sluice.core.testing.TestMessages.message;
import static dev.sluice.core.testing.TestMessages.order;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.core.codec.VersionedCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.testing.MutableClock;
import dev.sluice.core.testing.RecordingLogSink;
import dev.sluice.core.testing.TestMessages.Order;
import dev.sluice.core.testing.TestMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration BASE = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final RecordingLogSink logs = new RecordingLogSink();
    private final List<String> handled = new CopyOnWriteArrayList<>();

    private BatchProcessor.Builder<Order> builder(MessageHandler<Order> handler) {
        return BatchProcessor.<Order>builder()
                .queueName(QUEUE)
                .handler(handler)
                .codec(JsonCodec.of(Order.class))
                .retryPolicy(RetryPolicy.exponential(3, BASE, Duration.ofMinutes(1)))
                .clock(clock)
                .random(RandomGenerator.of("L64X128MixRandom"))
                .metrics(metrics)
                .logSink(logs);
    }

    private MessageHandler<Order> recording() {
        return (message, context) -> handled.add(message.body().orderId());
    }

    private BatchResult run(BatchProcessor<Order> processor, IncomingMessage... messages) {
        return processor.process(List.of(messages), clock.instant().plus(Duration.ofMinutes(5)));
    }

    @Nested
    class Outcomes {
        @Test
        void handlerThatReturns_isProcessed_withDecodedBodyAndFirstAttempt() {
            // GIVEN a handler that records what it sees
            List<Integer> attempts = new ArrayList<>();
            BatchProcessor<Order> processor = builder((m, c) -> {
                handled.add(m.body().orderId() + ":" + m.body().amountCents());
                attempts.add(c.attempt());
            }).build();

            // WHEN a valid order arrives
            BatchResult result = run(processor, order("o-1", 1250));

            // THEN it is processed once, decoded, on attempt 1
            assertThat(result.outcomes()).singleElement().isInstanceOf(Processed.class);
            assertThat(handled).containsExactly("o-1:1250");
            assertThat(attempts).containsExactly(1);
            assertThat(metrics.total(SluiceMetrics.COMPLETED)).isEqualTo(1);
            assertThat(metrics.total(SluiceMetrics.RECEIVED)).isEqualTo(1);
        }

        @Test
        void permanentFailure_isDeadLetteredAtOnce_withEnvelope() {
            // GIVEN a handler that rejects the order permanently
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new PermanentFailureException("customer account closed");
            }).build();

            // WHEN it runs
            BatchResult result = run(processor, order("o-2", 10));

            // THEN the message is dead-lettered with a complete envelope, not retried
            DeadLettered dead = (DeadLettered) result.outcomes().get(0);
            assertThat(dead.kind()).isEqualTo(FailureKind.PERMANENT);
            assertThat(dead.reason()).isEqualTo("customer account closed");
            assertThat(dead.envelope().errorType()).isEqualTo(PermanentFailureException.class.getName());
            assertThat(dead.envelope().attempts()).isEqualTo(1);
            assertThat(dead.envelope().sourceQueue()).isEqualTo(QUEUE);
            assertThat(dead.envelope().originalMessageId()).isEqualTo("o-2");
            assertThat(dead.envelope().lastFailureAt()).isEqualTo(T0);
            assertThat(dead.envelope().toAttributes()).containsEntry(SluiceAttributes.FAILURE_KIND, "PERMANENT");
            assertThat(metrics.total(SluiceMetrics.DEAD_LETTERED, SluiceMetrics.DIM_FAILURE_KIND, "PERMANENT")).isEqualTo(1);
        }

        @Test
        void userClassifiedException_isPermanent() {
            // GIVEN IllegalArgumentException classified as permanent
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new IllegalStateException("wrapped", new IllegalArgumentException("negative amount"));
            }).classifier(FailureClassifier.builder().permanent(IllegalArgumentException.class).build()).build();

            // WHEN the handler throws it as a cause
            BatchResult result = run(processor, order("o-3", -1));

            // THEN the message is dead-lettered as PERMANENT
            assertThat(result.deadLetters()).singleElement().extracting(DeadLettered::kind).isEqualTo(FailureKind.PERMANENT);
        }

        @Test
        void retryableFailure_isRetriedWithJitteredBackoff_untilAttemptsRunOut() {
            // GIVEN a handler that always fails transiently
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new java.io.UncheckedIOException(new java.io.IOException("downstream timeout"));
            }).build();

            // WHEN the message is delivered for the first, second and third time
            Retry first = (Retry) run(processor, order("o-4", 1)).outcomes().get(0);
            Retry second = (Retry) run(processor, IncomingMessage.builder().providerMessageId("o-4")
                    .body(orderJson("o-4", 1)).deliveryCount(2).sourceQueue(QUEUE).build()).outcomes().get(0);
            MessageOutcome third = run(processor, IncomingMessage.builder().providerMessageId("o-4")
                    .body(orderJson("o-4", 1)).deliveryCount(3).sourceQueue(QUEUE).build()).outcomes().get(0);

            // THEN the first two come back with delays inside the full-jitter window, the third is EXHAUSTED
            assertThat(first.reason()).isEqualTo(RetryReason.FAILED);
            assertThat(first.attemptsUsed()).isEqualTo(1);
            assertThat(first.delay()).isBetween(Duration.ZERO, BASE);
            assertThat(first.firstFailure()).contains(T0);
            assertThat(second.delay()).isBetween(Duration.ZERO, BASE.multipliedBy(2));
            assertThat(third).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.EXHAUSTED);
                assertThat(d.envelope().attempts()).isEqualTo(3);
                assertThat(d.envelope().errorType()).isEqualTo("java.io.UncheckedIOException");
            });
            assertThat(metrics.total(SluiceMetrics.RETRY_ATTEMPTS)).isEqualTo(2);
        }

        @Test
        void republishedCopy_countsAttemptsFromItsAttribute_andKeepsFirstFailureTime() {
            // GIVEN a copy re-published after two attempts, first failed an hour ago
            Instant firstFailure = T0.minus(Duration.ofHours(1));
            IncomingMessage copy = message("copy-id", orderJson("o-5", 1), null, Map.of(
                    SluiceAttributes.ATTEMPT, "2",
                    SluiceAttributes.ORIGINAL_MESSAGE_ID, "o-5",
                    SluiceAttributes.FIRST_FAILURE_AT, firstFailure.toString()));
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new IllegalStateException("still down");
            }).build();

            // WHEN it fails on its first delivery
            DeadLettered dead = (DeadLettered) run(processor, copy).outcomes().get(0);

            // THEN that was attempt 3 of 3: exhausted, with the stable id and first failure kept
            assertThat(dead.kind()).isEqualTo(FailureKind.EXHAUSTED);
            assertThat(dead.envelope().attempts()).isEqualTo(3);
            assertThat(dead.envelope().originalMessageId()).isEqualTo("o-5");
            assertThat(dead.envelope().firstFailureAt()).isEqualTo(firstFailure);
        }

        @Test
        void handlerErrorsThatAreNotExceptions_areRetriedNotThrown() {
            // GIVEN a handler that throws an Error
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new AssertionError("bug in handler");
            }).build();

            // WHEN it runs, THEN the batch still returns an outcome
            assertThat(run(processor, order("o-6", 1)).outcomes()).singleElement().isInstanceOf(Retry.class);
        }
    }

    @Nested
    class BadInput {
        private final AtomicInteger decodes = new AtomicInteger();

        private MessageCodec<Order> countingCodec() {
            JsonCodec<Order> json = JsonCodec.of(Order.class);
            return new MessageCodec<>() {
                @Override
                public Order decode(byte[] payload, Map<String, String> attributes) {
                    decodes.incrementAndGet();
                    return json.decode(payload, attributes);
                }

                @Override
                public byte[] encode(Order body) {
                    return json.encode(body);
                }
            };
        }

        @Test
        void undecodableBody_isPoison_neverHandled_andItsContentStaysOutOfTheReason() {
            // GIVEN a body that is not JSON and carries a secret-looking word
            BatchProcessor<Order> processor = builder(recording()).build();
            IncomingMessage garbage = message("bad-1", "hunter2-SECRET-VALUE not json", null, Map.of());

            // WHEN it is processed
            DeadLettered dead = (DeadLettered) run(processor, garbage, order("ok-1", 5)).outcomes().get(0);

            // THEN it is poison, the handler never saw it, the rest of the batch is unaffected
            assertThat(dead.kind()).isEqualTo(FailureKind.POISON);
            assertThat(dead.reason()).startsWith("body is not valid JSON").doesNotContain("hunter2");
            assertThat(handled).containsExactly("ok-1");
            assertThat(logs.allText()).doesNotContain("hunter2");
        }

        @Test
        void wrongTypes_arePoison_namingTheFieldNotTheValue() {
            BatchProcessor<Order> processor = builder(recording()).build();

            DeadLettered dead = (DeadLettered) run(processor,
                    message("bad-2", "{\"orderId\":\"x\",\"amountCents\":\"lots-of-money\"}", null, Map.of())).outcomes().get(0);

            assertThat(dead.kind()).isEqualTo(FailureKind.POISON);
            assertThat(dead.reason()).contains("$.amountCents").doesNotContain("lots-of-money");
        }

        @Test
        void deeplyNestedJson_isPoison_notAStackOverflow() {
            BatchProcessor<Order> processor = builder(recording()).build();
            String deep = "[".repeat(10_000) + "]".repeat(10_000);

            MessageOutcome outcome = run(processor, message("deep", deep, null, Map.of())).outcomes().get(0);

            assertThat(outcome).isInstanceOfSatisfying(DeadLettered.class, d -> assertThat(d.kind()).isEqualTo(FailureKind.POISON));
        }

        @Test
        void unknownSchemaVersion_isPoison() {
            // GIVEN a codec that knows version 1 and 2 of order-created
            VersionedCodec<Order> codec = VersionedCodec.<Order>builder("order-created")
                    .current(2, JsonCodec.of(Order.class)).build();
            BatchProcessor<Order> processor = builder(recording()).codec(codec).build();

            // WHEN version 7 arrives
            MessageOutcome outcome = run(processor, message("v7", orderJson("o-7", 1), null,
                    Map.of(SluiceAttributes.MESSAGE_TYPE, "order-created", SluiceAttributes.SCHEMA_VERSION, "7"))).outcomes().get(0);

            // THEN it is poison and never handled
            assertThat(outcome).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.POISON);
                assertThat(d.reason()).contains("unknown schema-version 7");
            });
            assertThat(handled).isEmpty();
        }

        @Test
        void gzipBodies_areInflated_andBombsArePoison() {
            // GIVEN a gzip-encoded order and a gzip bomb over the payload cap
            BatchProcessor<Order> processor = builder(recording()).maxPayloadBytes(64 * 1024).build();
            IncomingMessage compressed = IncomingMessage.builder().providerMessageId("gz")
                    .body(PayloadCompression.gzipBase64(orderJson("o-gz", 9).getBytes(StandardCharsets.UTF_8)))
                    .attributes(PayloadCompression.attributes()).sourceQueue(QUEUE).build();
            IncomingMessage bomb = IncomingMessage.builder().providerMessageId("bomb")
                    .body(PayloadCompression.gzipBase64(new byte[10 * 1024 * 1024]))
                    .attributes(PayloadCompression.attributes()).sourceQueue(QUEUE).build();

            // WHEN both arrive
            BatchResult result = run(processor, compressed, bomb);

            // THEN the order is handled and the bomb is quarantined without inflating it all
            assertThat(result.outcomes().get(0)).isInstanceOf(Processed.class);
            assertThat(handled).containsExactly("o-gz");
            assertThat(result.outcomes().get(1)).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.POISON);
                assertThat(d.reason()).contains("exceeds the limit");
            });
        }

        @Test
        void codecThatThrowsAnythingElse_isStillPoison() {
            MessageCodec<Order> broken = new MessageCodec<>() {
                @Override
                public Order decode(byte[] payload, Map<String, String> attributes) {
                    throw new IllegalStateException("codec bug");
                }

                @Override
                public byte[] encode(Order body) {
                    return new byte[0];
                }
            };
            BatchProcessor<Order> processor = builder(recording()).codec(broken).build();

            assertThat(run(processor, order("o-8", 1)).deadLetters()).singleElement()
                    .extracting(DeadLettered::kind).isEqualTo(FailureKind.POISON);
        }

        @Test
        void missingOrBadSignature_isQuarantined_beforeDecoding() {
            // GIVEN signature verification with a rotated key set
            SigningKeys keys = SigningKeys.of("k2", Map.of("k1", new byte[32], "k2", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
            MessageSignatures signatures = MessageSignatures.with(keys);
            BatchProcessor<Order> processor = builder(recording()).codec(countingCodec()).signatures(signatures).build();
            byte[] body = orderJson("signed", 1).getBytes(StandardCharsets.UTF_8);
            IncomingMessage signed = IncomingMessage.builder().providerMessageId("signed").body(body)
                    .attributes(signatures.sign(body, Map.of(), T0)).sourceQueue(QUEUE).build();
            IncomingMessage unsigned = order("unsigned", 1);
            Map<String, String> forged = new java.util.HashMap<>(signatures.sign(body, Map.of(), T0));
            forged.put(SluiceAttributes.SIGNATURE, Base64.getEncoder().encodeToString(new byte[32]));
            IncomingMessage tampered = IncomingMessage.builder().providerMessageId("tampered").body(body)
                    .attributes(forged).sourceQueue(QUEUE).build();

            // WHEN the batch runs
            BatchResult result = run(processor, signed, unsigned, tampered);

            // THEN only the signed message is decoded and handled
            assertThat(result.outcomes().get(0)).isInstanceOf(Processed.class);
            assertThat(result.deadLetters()).extracting(DeadLettered::kind)
                    .containsExactly(FailureKind.SIGNATURE_INVALID, FailureKind.SIGNATURE_INVALID);
            assertThat(result.deadLetters().get(0).reason()).isEqualTo("signature missing");
            assertThat(decodes).hasValue(1);
            assertThat(handled).containsExactly("signed");
        }
    }

    @Nested
    class Idempotency {
        private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

        private BatchProcessor.Builder<Order> idempotent(MessageHandler<Order> handler) {
            return builder(handler).idempotency(IdempotencyOptions.builder().store(store)
                    .lease(Duration.ofMinutes(2)).ttl(Duration.ofDays(1)).build());
        }

        @Test
        void secondDelivery_isDuplicate_andTheHandlerRunsOnce() {
            BatchProcessor<Order> processor = idempotent(recording()).build();

            run(processor, order("o-1", 10));
            BatchResult again = run(processor, order("o-1", 10));

            assertThat(again.outcomes()).singleElement().isInstanceOf(Duplicate.class);
            assertThat(handled).containsExactly("o-1");
            assertThat(store.find("o-1")).hasValueSatisfying(r -> {
                assertThat(r.status()).isEqualTo(InMemoryIdempotencyStore.Status.COMPLETED);
                assertThat(r.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(1)));
            });
            assertThat(metrics.total(SluiceMetrics.DUPLICATE)).isEqualTo(1);
        }

        @Test
        void sameKeyWithAnotherPayload_isAMismatch_neverProcessed() {
            // GIVEN a payment keyed by the idempotency-key attribute, already processed
            BatchProcessor<Order> processor = idempotent(recording()).build();
            run(processor, message("m-1", orderJson("pay-1", 100), null, Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "pay-1")));

            // WHEN a replay arrives with the same key but a changed amount
            MessageOutcome outcome = run(processor, message("m-2", orderJson("pay-1", 9999), null,
                    Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "pay-1"))).outcomes().get(0);

            // THEN it is quarantined as a mismatch and the handler ran once
            assertThat(outcome).isInstanceOfSatisfying(DeadLettered.class,
                    d -> assertThat(d.kind()).isEqualTo(FailureKind.IDEMPOTENCY_MISMATCH));
            assertThat(handled).containsExactly("pay-1");
        }

        @Test
        void liveLeaseOfAnotherConsumer_givesRetryUntilTheLeaseLapses() {
            // GIVEN another consumer holds the key for 90 more seconds
            byte[] payload = orderJson("o-2", 1).getBytes(StandardCharsets.UTF_8);
            store.begin(new BeginRequest("o-2", dev.sluice.core.security.Hashes.sha256Hex(payload), T0,
                    T0.plusSeconds(90), T0.plus(Duration.ofDays(1))));
            BatchProcessor<Order> processor = idempotent(recording()).build();

            // WHEN the message arrives here
            Retry retry = (Retry) run(processor, order("o-2", 1)).outcomes().get(0);

            // THEN it is not handled and comes back after the backoff, no later than the lease's lapse
            assertThat(retry.reason()).isEqualTo(RetryReason.IN_PROGRESS);
            assertThat(retry.delay()).isBetween(Duration.ofSeconds(1), BASE);
            assertThat(retry.attemptsUsed()).isZero();
            assertThat(handled).isEmpty();

            // AND a twin holding a lease that lapses sooner than the backoff is waited for only that long (a fixed
            // backoff: full jitter could itself fall below the 2 s left, about 1 run in 30)
            IncomingMessage late = IncomingMessage.builder().providerMessageId("o-2").body(orderJson("o-2", 1))
                    .deliveryCount(3).sourceQueue(QUEUE).build();
            clock.advance(Duration.ofSeconds(88));
            assertThat(((Retry) run(idempotent(recording()).retryPolicy(new RetryPolicy(5,
                    BackoffStrategy.fixed(Duration.ofMinutes(1)))).build(), late).outcomes().get(0)).delay())
                    .isEqualTo(Duration.ofSeconds(2));

            // AND once the lease has lapsed, this consumer takes over
            clock.advance(Duration.ofSeconds(3));
            assertThat(run(processor, order("o-2", 1)).outcomes()).singleElement().isInstanceOf(Processed.class);
        }

        @Test
        void retryableFailure_releasesTheRecordWithTheFailureCounted_soTheRetryRunsAsAttemptTwo() {
            AtomicInteger calls = new AtomicInteger();
            BatchProcessor<Order> processor = idempotent((m, c) -> {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("transient");
                }
                handled.add(m.body().orderId());
            }).build();

            assertThat(run(processor, order("o-3", 1)).outcomes().get(0)).isInstanceOfSatisfying(Retry.class,
                    r -> assertThat(r.attemptsUsed()).isEqualTo(1));
            assertThat(store.find("o-3")).hasValueSatisfying(r -> assertThat(r.failures()).isEqualTo(1));
            assertThat(run(processor, order("o-3", 1)).outcomes().get(0)).isInstanceOf(Processed.class);
            assertThat(handled).containsExactly("o-3");
        }

        @Test
        void attemptsAreExecutionsOnRecord_notDeliveries_andTheEnvelopeCarriesTheRecordsFirstFailure() {
            // GIVEN a handler that always fails, and a twin consumer holding the key's lease for a while
            AtomicInteger calls = new AtomicInteger();
            List<Integer> attempts = new CopyOnWriteArrayList<>();
            BatchProcessor<Order> processor = idempotent((m, c) -> {
                calls.incrementAndGet();
                attempts.add(c.attempt());
                throw new IllegalStateException("downstream down");
            }).build();
            Instant firstFailure = clock.instant();

            // WHEN it fails once, is redelivered three times while a twin holds the lease (handler not run), and
            // then fails twice more; the provider's delivery count keeps rising throughout
            assertThat(run(processor, delivery("o-9", 1)).outcomes().get(0)).isInstanceOf(Retry.class);
            clock.advance(Duration.ofSeconds(5));
            Instant now = clock.instant();
            store.begin(new dev.sluice.core.spi.BeginRequest("o-9", fingerprintOf("o-9"), now, now.plusSeconds(60),
                    now.plus(Duration.ofDays(1))));
            for (int d = 2; d <= 4; d++) {
                assertThat(run(processor, delivery("o-9", d)).outcomes().get(0)).isInstanceOfSatisfying(Retry.class,
                        r -> assertThat(r.reason()).isEqualTo(RetryReason.IN_PROGRESS));
            }
            clock.advance(Duration.ofSeconds(61));
            assertThat(run(processor, delivery("o-9", 5)).outcomes().get(0)).isInstanceOf(Retry.class);
            MessageOutcome last = run(processor, delivery("o-9", 6)).outcomes().get(0);

            // THEN the handler ran three times as attempts 1, 2, 3, and the third was EXHAUSTED with the record's
            // first failure time
            assertThat(attempts).containsExactly(1, 2, 3);
            assertThat(last).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.EXHAUSTED);
                assertThat(d.envelope().attempts()).isEqualTo(3);
                assertThat(d.envelope().firstFailureAt()).isEqualTo(firstFailure);
            });
            // AND should that dead letter be lost (a crash before it was sent), the redelivery is dead-lettered again
            // without a fourth execution
            MessageOutcome again = run(processor, delivery("o-9", 7)).outcomes().get(0);
            assertThat(again).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.EXHAUSTED);
                assertThat(d.envelope().attempts()).isEqualTo(3);
            });
            assertThat(calls).hasValue(3);
            // AND a redriven copy starts again at attempt 1
            IncomingMessage redriven = IncomingMessage.builder().providerMessageId("o-9").body(orderJson("o-9", 1))
                    .attribute(SluiceAttributes.REDRIVE_COUNT, "1").sourceQueue(QUEUE).build();
            assertThat(run(processor, redriven).outcomes().get(0)).isInstanceOf(Retry.class);
            assertThat(attempts).containsExactly(1, 2, 3, 1);
        }

        private IncomingMessage delivery(String id, int deliveryCount) {
            return IncomingMessage.builder().providerMessageId(id).body(orderJson(id, 1)).deliveryCount(deliveryCount)
                    .sourceQueue(QUEUE).build();
        }

        private String fingerprintOf(String id) {
            return dev.sluice.core.security.Hashes.sha256Hex(orderJson(id, 1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Test
        void keyFromJsonPointer_deduplicatesAcrossMessageIds_andAMissingKeyIsPoison() {
            BatchProcessor<Order> processor = builder(recording()).idempotency(IdempotencyOptions.builder()
                    .store(store).keyPointer("/orderId").build()).build();

            BatchResult result = run(processor, message("m-1", orderJson("same", 1), null, Map.of()));
            BatchResult second = run(processor, message("m-2", orderJson("same", 1), null, Map.of()),
                    message("m-3", "{\"amountCents\":5}", null, Map.of()));

            assertThat(result.outcomes().get(0)).isInstanceOf(Processed.class);
            assertThat(second.outcomes().get(0)).isInstanceOf(Duplicate.class);
            assertThat(second.outcomes().get(1)).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.POISON);
                assertThat(d.reason()).contains("/orderId");
            });
        }

        @Test
        void storeOutage_isRetried_neverThrown() {
            IdempotencyStore down = new IdempotencyStore() {
                @Override
                public BeginResult begin(BeginRequest request) {
                    throw new IllegalStateException("store unreachable");
                }

                @Override
                public void complete(BeginResult.Acquired lease, Instant expiresAt, IdempotencyTransaction transaction) {}

                @Override
                public void release(BeginResult.Acquired lease, dev.sluice.core.spi.Release release) {}
            };
            BatchProcessor<Order> processor = builder(recording())
                    .idempotency(IdempotencyOptions.builder().store(down).build()).build();

            BatchResult result = run(processor, order("o-4", 1));

            assertThat(result.outcomes()).singleElement().isInstanceOfSatisfying(Retry.class,
                    r -> assertThat(r.reason()).isEqualTo(RetryReason.FAILED));
            assertThat(handled).isEmpty();
        }

        @Test
        void transactionalMode_appliesTheHandlersWritesOnlyWithTheCompletedRecord() {
            // GIVEN a "database" the handler writes to through the idempotency transaction
            Map<String, Long> balances = new ConcurrentHashMap<>();
            MessageHandler<Order> handler = (m, c) -> c.transaction(InMemoryIdempotencyStore.Transaction.class)
                    .add(() -> balances.merge(m.body().orderId(), m.body().amountCents(), Long::sum));
            BatchProcessor<Order> processor = builder(handler).idempotency(IdempotencyOptions.builder()
                    .store(store).mode(IdempotencyMode.TRANSACTIONAL).build()).build();

            // WHEN the same message is delivered twice
            run(processor, order("acct-1", 500));
            run(processor, order("acct-1", 500));

            // THEN the effect is applied exactly once
            assertThat(balances).containsExactly(Map.entry("acct-1", 500L));
        }

        @Test
        void transactionalMode_failureBetweenHandlerAndCommit_appliesNothing_andRetries() {
            // GIVEN a store whose commit fails once, after the handler added its write
            AtomicInteger commits = new AtomicInteger();
            IdempotencyStore flaky = new DelegatingStore(store) {
                @Override
                public void complete(BeginResult.Acquired lease, Instant expiresAt, IdempotencyTransaction transaction) {
                    if (commits.incrementAndGet() == 1) {
                        throw new IllegalStateException("transaction cancelled");
                    }
                    super.complete(lease, expiresAt, transaction);
                }
            };
            Map<String, Long> balances = new ConcurrentHashMap<>();
            MessageHandler<Order> handler = (m, c) -> c.transaction(InMemoryIdempotencyStore.Transaction.class)
                    .add(() -> balances.merge(m.body().orderId(), m.body().amountCents(), Long::sum));
            BatchProcessor<Order> processor = builder(handler).idempotency(IdempotencyOptions.builder()
                    .store(flaky).mode(IdempotencyMode.TRANSACTIONAL).build()).build();

            // WHEN the first try fails at commit and the retry succeeds
            MessageOutcome first = run(processor, order("acct-2", 70)).outcomes().get(0);
            assertThat(balances).isEmpty();
            MessageOutcome second = run(processor, order("acct-2", 70)).outcomes().get(0);

            // THEN nothing was applied by the failed try and the effect exists once
            assertThat(first).isInstanceOf(Retry.class);
            assertThat(second).isInstanceOf(Processed.class);
            assertThat(balances).containsExactly(Map.entry("acct-2", 70L));
        }

        @Test
        void guardMode_completeFailureAfterSuccess_isProcessed_notRunAgainNow() {
            IdempotencyStore failingComplete = new DelegatingStore(store) {
                @Override
                public void complete(BeginResult.Acquired lease, Instant expiresAt, IdempotencyTransaction transaction) {
                    throw new IllegalStateException("throttled");
                }
            };
            BatchProcessor<Order> processor = builder(recording())
                    .idempotency(IdempotencyOptions.builder().store(failingComplete).build()).build();

            assertThat(run(processor, order("o-5", 1)).outcomes()).singleElement().isInstanceOf(Processed.class);
            // the record stays IN_PROGRESS, so a duplicate within the lease is held back rather than re-run
            assertThat(run(processor, order("o-5", 1)).outcomes()).singleElement().isInstanceOf(Retry.class);
            assertThat(handled).containsExactly("o-5");
        }

        @Test
        void transactionInGuardMode_failsClearly() {
            List<String> errors = new CopyOnWriteArrayList<>();
            BatchProcessor<Order> processor = idempotent((m, c) -> {
                try {
                    c.transaction(InMemoryIdempotencyStore.Transaction.class);
                } catch (IllegalStateException e) {
                    errors.add(e.getMessage());
                }
            }).build();

            run(processor, order("o-6", 1));

            assertThat(errors).containsExactly("transaction() is available in TRANSACTIONAL idempotency mode only");
        }
    }

    @Nested
    class OrderingAndConcurrency {
        @Test
        void groupRunsInOrder_andAfterAFailureItsLaterMessagesAreNotExecuted() {
            // GIVEN group A where the second message fails, and group B
            BatchProcessor<Order> processor = builder((m, c) -> {
                handled.add(m.body().orderId());
                if (m.body().orderId().equals("a2")) {
                    throw new IllegalStateException("transient");
                }
            }).build();

            // WHEN the batch interleaves the groups
            BatchResult result = run(processor, grouped("a1", "A"), grouped("b1", "B"), grouped("a2", "A"),
                    grouped("b2", "B"), grouped("a3", "A"), grouped("b3", "B"));

            // THEN A ran a1, a2 in order and a3 came back unexecuted with a2's delay; B is unaffected
            assertThat(handled.stream().filter(id -> id.startsWith("a")).toList()).containsExactly("a1", "a2");
            assertThat(handled.stream().filter(id -> id.startsWith("b")).toList()).containsExactly("b1", "b2", "b3");
            Retry a2 = (Retry) result.outcomes().get(2);
            Retry a3 = (Retry) result.outcomes().get(4);
            assertThat(a3.reason()).isEqualTo(RetryReason.GROUP_BLOCKED);
            assertThat(a3.delay()).isEqualTo(a2.delay());
            assertThat(a3.attemptsUsed()).isZero();
            assertThat(result.outcomes()).extracting(o -> o.message().providerMessageId())
                    .containsExactly("a1", "b1", "a2", "b2", "a3", "b3");
        }

        @Test
        void ungroupedMessagesRunConcurrently_boundedByConcurrency() {
            // GIVEN a handler that waits until four handlers run at once
            AtomicInteger active = new AtomicInteger();
            AtomicInteger maxActive = new AtomicInteger();
            CountDownLatch fourAtOnce = new CountDownLatch(4);
            BatchProcessor<Order> processor = builder((m, c) -> {
                maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                fourAtOnce.countDown();
                fourAtOnce.await(10, TimeUnit.SECONDS);
                active.decrementAndGet();
            }).concurrency(4).build();
            IncomingMessage[] batch = new IncomingMessage[10];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = order("c" + i, 1);
            }

            // WHEN ten messages run
            BatchResult result = run(processor, batch);

            // THEN four ran at once, never more, and all were processed
            assertThat(fourAtOnce.getCount()).isZero();
            assertThat(maxActive).hasValue(4);
            assertThat(result.ofType(Processed.class)).hasSize(10);
        }

        @Test
        void noMessageStarts_whenTheRemainingTimeIsBelowTheSafetyMargin() {
            // GIVEN a group whose first handler uses up the invocation's time
            BatchProcessor<Order> processor = builder((m, c) -> {
                handled.add(m.body().orderId());
                clock.advance(Duration.ofSeconds(10));
            }).safetyMargin(Duration.ofSeconds(2)).build();

            // WHEN the batch has 11 seconds
            BatchResult result = processor.process(List.of(grouped("t1", "G"), grouped("t2", "G"), grouped("t3", "G")),
                    T0.plusSeconds(11));

            // THEN nothing starts after time ran short, and unstarted messages return with no delay
            assertThat(handled).containsExactly("t1");
            assertThat(result.outcomes().get(0)).isInstanceOf(Processed.class);
            assertThat(result.outcomes().get(1)).isInstanceOfSatisfying(Retry.class, r -> {
                assertThat(r.reason()).isEqualTo(RetryReason.TIME_BUDGET);
                assertThat(r.delay()).isZero();
            });
            assertThat(result.outcomes().get(2)).isInstanceOf(Retry.class);
        }

        @Test
        void batchWithTooLittleTime_returnsEverythingUnstarted() {
            BatchProcessor<Order> processor = builder(recording()).safetyMargin(Duration.ofSeconds(2)).build();

            BatchResult result = processor.process(List.of(order("x1", 1), order("x2", 1)), T0.plusSeconds(1));

            assertThat(result.retries()).hasSize(2).allSatisfy(r -> {
                assertThat(r.reason()).isEqualTo(RetryReason.TIME_BUDGET);
                assertThat(r.delay()).isZero();
                assertThat(r.reason().started()).isFalse();
            });
            assertThat(handled).isEmpty();
        }

        @Test
        void circuitBreaker_stopsTheBatch_afterConsecutiveFailures() {
            // GIVEN a broken downstream and a breaker at 3
            AtomicInteger calls = new AtomicInteger();
            BatchProcessor<Order> processor = builder((m, c) -> {
                calls.incrementAndGet();
                throw new IllegalStateException("downstream 503");
            }).concurrency(1).circuitBreaker(3, Duration.ofSeconds(45)).build();
            IncomingMessage[] batch = new IncomingMessage[8];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = order("cb" + i, 1);
            }

            // WHEN the batch runs
            BatchResult result = run(processor, batch);

            // THEN three handlers ran, the rest came back unprocessed with the breaker's delay
            assertThat(calls).hasValue(3);
            assertThat(result.retries()).filteredOn(r -> r.reason() == RetryReason.CIRCUIT_OPEN).hasSize(5)
                    .allSatisfy(r -> assertThat(r.delay()).isEqualTo(Duration.ofSeconds(45)));
        }

        @Test
        void handlerOverItsTimeLimit_isRetried_keepsItsLease_andOnTheLastAttemptIsTimeout() throws Exception {
            InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
            CountDownLatch interrupted = new CountDownLatch(1);
            BatchProcessor<Order> processor = builder((m, c) -> {
                try {
                    Thread.sleep(Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
            }).handlerTimeout(Duration.ofMillis(50)).idempotency(IdempotencyOptions.builder().store(store).build()).build();

            // WHEN the handler times out: the execution is counted, the lease kept
            Retry first = (Retry) run(processor, order("slow", 1)).outcomes().get(0);
            assertThat(first.reason()).isEqualTo(RetryReason.TIMED_OUT);
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.find("slow")).hasValueSatisfying(r -> {
                assertThat(r.status()).isEqualTo(InMemoryIdempotencyStore.Status.IN_PROGRESS);
                assertThat(r.leaseExpiresAt()).isAfter(clock.instant());
                assertThat(r.failures()).isEqualTo(1);
            });
            // a redelivery while the lease lives does not run the handler and uses no attempt
            assertThat(run(processor, order("slow", 1)).outcomes().get(0)).isInstanceOfSatisfying(Retry.class,
                    r -> assertThat(r.reason()).isEqualTo(RetryReason.IN_PROGRESS));

            // THEN after two more lapsed leases, the third execution's timeout is final
            clock.advance(Duration.ofMinutes(6));
            assertThat(run(processor, order("slow", 1)).outcomes().get(0)).isInstanceOf(Retry.class);
            clock.advance(Duration.ofMinutes(6));
            MessageOutcome last = run(processor, order("slow", 1)).outcomes().get(0);
            assertThat(last).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.TIMEOUT);
                assertThat(d.envelope().attempts()).isEqualTo(3);
            });
        }
    }

    @Nested
    class Observability {
        @Test
        void errorTextIsRedacted_inTheEnvelopeAndTheLogs() {
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new PermanentFailureException("card 4111 1111 1111 1111 of jane.doe@example.com declined");
            }).build();

            DeadLettered dead = (DeadLettered) run(processor, order("r-1", 1)).outcomes().get(0);

            assertThat(dead.reason()).isEqualTo("card [REDACTED_CARD] of [REDACTED_EMAIL] declined");
            assertThat(logs.allText()).doesNotContain("4111 1111").doesNotContain("jane.doe");
        }

        @Test
        void logLinesCarryTheMessageContext_andNeverTheBody() {
            BatchProcessor<Order> processor = builder((m, c) -> {
                c.logger().info("charging", Map.of("amount", m.body().amountCents()));
                throw new IllegalStateException("timeout talking to PSP");
            }).build();
            IncomingMessage msg = IncomingMessage.builder().providerMessageId("ctx-1").body(orderJson("BODY-ONLY-TEXT", 42))
                    .correlationId("corr-9").deliveryCount(1).sourceQueue(QUEUE).build();

            run(processor, msg);

            LogSink.Event charging = logs.events.stream().filter(e -> e.message().equals("charging")).findFirst().orElseThrow();
            assertThat(charging.fields()).containsEntry("queue_name", QUEUE).containsEntry("message_id", "ctx-1")
                    .containsEntry("correlation_id", "corr-9").containsEntry("operation", "handle")
                    .containsEntry("delivery_count", 1).containsEntry("amount", 42L);
            assertThat(logs.allText()).doesNotContain("BODY-ONLY-TEXT");
        }

        @Test
        void brokenLogSink_neverFailsAMessage() {
            BatchProcessor<Order> processor = builder((m, c) -> {
                throw new PermanentFailureException("nope");
            }).logSink(e -> {
                throw new IllegalStateException("disk full");
            }).build();

            assertThat(run(processor, order("l-1", 1)).deadLetters()).hasSize(1);
        }
    }

    @Nested
    class Building {
        @Test
        void missingPartsAreNamed() {
            assertThatThrownBy(() -> BatchProcessor.<Order>builder().codec(JsonCodec.of(Order.class)).queueName("q").build())
                    .hasMessage("handler is required");
            assertThatThrownBy(() -> BatchProcessor.<Order>builder().handler((m, c) -> {}).queueName("q").build())
                    .hasMessage("codec is required");
            assertThatThrownBy(() -> builder(recording()).queueName(" ").build()).hasMessage("queueName is required");
            assertThatThrownBy(() -> builder(recording()).concurrency(0).build())
                    .hasMessage("concurrency must be at least 1, got 0");
        }

        @Test
        void configSuppliesQueueRetryAndSigning() {
            SluiceConfig config = SluiceConfig.builder().queueName("payments").maxAttempts(5)
                    .retryBackoff(Duration.ofMillis(200)).retryBackoffMax(Duration.ofSeconds(10)).build();

            BatchProcessor<Order> processor = BatchProcessor.<Order>builder().config(config).handler(recording())
                    .codec(JsonCodec.of(Order.class)).build();

            assertThat(processor.queueName()).isEqualTo("payments");
            assertThat(processor.retryPolicy().maxAttempts()).isEqualTo(5);
        }

        @Test
        void emptyBatch_givesEmptyResult() {
            assertThat(run(builder(recording()).build()).outcomes()).isEqualTo(Collections.emptyList());
        }
    }

    /** Forwards to another store, so tests can fail one operation. */
    private static class DelegatingStore implements IdempotencyStore {
        private final IdempotencyStore delegate;

        DelegatingStore(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public BeginResult begin(BeginRequest request) {
            return delegate.begin(request);
        }

        @Override
        public void complete(BeginResult.Acquired lease, Instant expiresAt, IdempotencyTransaction transaction) {
            delegate.complete(lease, expiresAt, transaction);
        }

        @Override
        public void release(BeginResult.Acquired lease, dev.sluice.core.spi.Release release) {
            delegate.release(lease, release);
        }

        @Override
        public IdempotencyTransaction openTransaction(BeginResult.Acquired lease) {
            return delegate.openTransaction(lease);
        }

        @Override
        public boolean supportsTransactions() {
            return delegate.supportsTransactions();
        }
    }
}
