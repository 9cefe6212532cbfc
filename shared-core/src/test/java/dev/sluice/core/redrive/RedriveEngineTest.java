package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedriveEngineTest {
    private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
    private static final String TIMEOUT = "java.net.SocketTimeoutException";

    @TempDir
    Path dir;

    private MutableClock clock;
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<AuditRecord> audits = new ArrayList<>();
    private InMemoryDeadLetterSource source;
    private InMemoryRedriveTarget target;
    private RedriveEngine engine;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(NOW);
        source = new InMemoryDeadLetterSource("orders-dlq");
        target = new InMemoryRedriveTarget("orders");
        engine = new RedriveEngine(clock, duration -> {
            sleeps.add(duration);
            clock.advance(duration);
        }, audits::add);
    }

    @Test
    void run_shouldMoveDeadLetters_withBodyUnchangedAndRedriveAttributes() {
        // GIVEN a dead letter with an envelope, its own attributes and a signature
        byte[] body = "{\"orderId\":\"ORD-2026-000123\",\"amountCents\":12345}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> attributes = new HashMap<>(envelope(FailureKind.EXHAUSTED, TIMEOUT, "msg-original-1",
                NOW.minus(Duration.ofHours(1))).toAttributes());
        attributes.put(SluiceAttributes.CORRELATION_ID, "corr-7");
        attributes.put(SluiceAttributes.MESSAGE_TYPE, "order-created");
        attributes.put(SluiceAttributes.SIGNATURE, "c2lnbmF0dXJl");
        attributes.put(SluiceAttributes.KEY_ID, "k1");
        attributes.put(SluiceAttributes.ATTEMPT, "2");
        source.add("dlq-provider-id-1", body, attributes, NOW);

        // WHEN redriven
        RedriveReport report = engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        // THEN one copy went back: same bytes, same stable id, counted as redriven once, no failure attributes
        assertThat(report.moved()).isEqualTo(1);
        assertThat(target.sent()).singleElement().satisfies(sent -> {
            assertThat(sent.body()).isEqualTo(body);
            assertThat(sent.attributes())
                    .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "msg-original-1")
                    .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1")
                    .containsEntry(SluiceAttributes.CORRELATION_ID, "corr-7")
                    .containsEntry(SluiceAttributes.MESSAGE_TYPE, "order-created")
                    .containsEntry(SluiceAttributes.SIGNATURE, "c2lnbmF0dXJl")
                    .containsEntry(SluiceAttributes.KEY_ID, "k1")
                    .doesNotContainKeys(SluiceAttributes.FAILURE_ATTRIBUTES.toArray(String[]::new));
        });
        // AND the original left the dead-letter queue
        assertThat(source.ids()).isEmpty();
    }

    @Test
    void run_shouldIncrementAnExistingRedriveCount() {
        Map<String, String> attributes = new HashMap<>(exhausted("m1", NOW).toAttributes());
        attributes.put(SluiceAttributes.REDRIVE_COUNT, "2");
        source.add("p1", body("m1"), attributes, NOW);

        engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        assertThat(target.sent()).singleElement()
                .satisfies(sent -> assertThat(sent.attributes()).containsEntry(SluiceAttributes.REDRIVE_COUNT, "3"));
    }

    @Test
    void run_shouldUseTheProviderId_asTheStableId_ofAMessageTheQueueMovedItself() {
        // GIVEN a dead letter without an envelope (the queue's maxReceiveCount moved it after a crash)
        source.add("provider-9", body("x"), Map.of(SluiceAttributes.CORRELATION_ID, "corr-9"), NOW);

        // WHEN redriven
        engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        // THEN its copy carries the provider id as its stable id from now on
        assertThat(target.sent()).singleElement().satisfies(sent -> assertThat(sent.attributes())
                .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "provider-9")
                .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1")
                .containsEntry(SluiceAttributes.CORRELATION_ID, "corr-9"));
    }

    @Test
    void run_shouldMoveEveryDeadLetter_acrossSeveralReceiveBatches() {
        // GIVEN more dead letters than one receive returns
        for (int i = 0; i < 35; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }

        // WHEN redriven
        RedriveReport report = engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        // THEN all went back, each exactly once
        assertThat(report.scanned()).isEqualTo(35);
        assertThat(report.moved()).isEqualTo(35);
        assertThat(target.sentIds()).hasSize(35).doesNotHaveDuplicates();
        assertThat(source.ids()).isEmpty();
    }

    @Test
    void run_shouldMoveOnlyTheChosenKinds_andLeaveTheRestInTheQueue() {
        // GIVEN dead letters of three kinds and one without an envelope
        addDeadLetter("p1", envelope(FailureKind.POISON, "dev.sluice.core.codec.DecodingException", "m1", NOW));
        addDeadLetter("p2", envelope(FailureKind.EXHAUSTED, TIMEOUT, "m2", NOW));
        addDeadLetter("p3", envelope(FailureKind.EXHAUSTED, TIMEOUT, "m3", NOW));
        addDeadLetter("p4", envelope(FailureKind.PERMANENT, "com.example.InvalidOrderException", "m4", NOW));
        source.add("p5", body("m5"), Map.of(), NOW);

        // WHEN only EXHAUSTED ones are redriven
        RedriveReport report = engine.run(confirmed()
                .filter(RedriveFilter.builder().kinds(Set.of(FailureKind.EXHAUSTED)).build()).build(),
                source, target, RedriveListener.NONE);

        // THEN those moved; the others stay, visible again for the next reader
        assertThat(target.sentIds()).containsExactlyInAnyOrder("p2", "p3");
        assertThat(source.ids()).containsExactlyInAnyOrder("p1", "p4", "p5");
        assertThat(source.hiddenCount()).isZero();
        assertThat(report).extracting(RedriveReport::scanned, RedriveReport::matched, RedriveReport::moved, RedriveReport::failed)
                .containsExactly(5, 2, 2, 0);
    }

    @Test
    void run_shouldFilterByErrorType() {
        addDeadLetter("p1", envelope(FailureKind.EXHAUSTED, TIMEOUT, "m1", NOW));
        addDeadLetter("p2", envelope(FailureKind.EXHAUSTED, "java.sql.SQLTransientConnectionException", "m2", NOW));
        source.add("p3", body("m3"), Map.of(), NOW);

        engine.run(confirmed().filter(RedriveFilter.builder().errorTypes(Set.of(TIMEOUT)).build()).build(),
                source, target, RedriveListener.NONE);

        assertThat(target.sentIds()).containsExactly("p1");
        assertThat(source.ids()).containsExactlyInAnyOrder("p2", "p3");
    }

    @Test
    void run_shouldFilterByStableIdOrProviderId() {
        // GIVEN three dead letters
        addDeadLetter("p1", exhausted("m1", NOW));
        addDeadLetter("p2", exhausted("m2", NOW));
        addDeadLetter("p3", exhausted("m3", NOW));

        // WHEN the operator names one by its stable id and one by its provider id
        engine.run(confirmed().filter(RedriveFilter.builder().ids(Set.of("m1", "p3")).build()).build(),
                source, target, RedriveListener.NONE);

        // THEN exactly those two move
        assertThat(target.sentIds()).containsExactlyInAnyOrder("p1", "p3");
        assertThat(source.ids()).containsExactly("p2");
    }

    @Test
    void run_shouldFilterByAge_measuredFromTheLastFailure() {
        // GIVEN dead letters that last failed 1 hour, 3 hours and 2 days ago
        addDeadLetter("1h", exhausted("m1", NOW.minus(Duration.ofHours(1))));
        addDeadLetter("3h", exhausted("m2", NOW.minus(Duration.ofHours(3))));
        addDeadLetter("2d", exhausted("m3", NOW.minus(Duration.ofDays(2))));

        // WHEN those older than 2 hours but newer than 1 day are redriven
        engine.run(confirmed().filter(RedriveFilter.builder().olderThan(Duration.ofHours(2)).newerThan(Duration.ofDays(1))
                .build()).build(), source, target, RedriveListener.NONE);

        // THEN only the 3-hour-old one moved
        assertThat(target.sentIds()).containsExactly("3h");
        assertThat(source.ids()).containsExactlyInAnyOrder("1h", "2d");
    }

    @Test
    void run_shouldUseTheEnqueueTime_forTheAgeOfAMessageWithoutEnvelope() {
        source.add("old", body("a"), Map.of(), NOW.minus(Duration.ofDays(3)));
        source.add("new", body("b"), Map.of(), NOW.minus(Duration.ofMinutes(5)));

        engine.run(confirmed().filter(RedriveFilter.builder().olderThan(Duration.ofDays(1)).build()).build(),
                source, target, RedriveListener.NONE);

        assertThat(target.sentIds()).containsExactly("old");
    }

    @Test
    void dryRun_shouldCountMatches_butMoveNothing() {
        // GIVEN four dead letters, three of them POISON
        addDeadLetter("p1", envelope(FailureKind.POISON, "dev.sluice.core.codec.DecodingException", "m1", NOW));
        addDeadLetter("p2", envelope(FailureKind.POISON, "dev.sluice.core.codec.DecodingException", "m2", NOW));
        addDeadLetter("p3", envelope(FailureKind.POISON, "dev.sluice.core.codec.DecodingException", "m3", NOW));
        addDeadLetter("p4", exhausted("m4", NOW));

        // WHEN a dry run (not confirmed, at a rate) asks about POISON
        RedriveReport report = engine.run(RedriveRequest.builder().operator("alice").dryRun(true).ratePerSecond(1)
                .filter(RedriveFilter.builder().kinds(Set.of(FailureKind.POISON)).build()).build(),
                source, target, RedriveListener.NONE);

        // THEN it reports what would move, moved nothing, waited for nothing, and left the queue as it was
        assertThat(report.dryRun()).isTrue();
        assertThat(report.matched()).isEqualTo(3);
        assertThat(report.moved()).isZero();
        assertThat(target.sent()).isEmpty();
        assertThat(sleeps).isEmpty();
        assertThat(source.ids()).containsExactlyInAnyOrder("p1", "p2", "p3", "p4");
        assertThat(source.hiddenCount()).isZero();
        assertThat(audits).singleElement().satisfies(audit -> {
            assertThat(audit.dryRun()).isTrue();
            assertThat(audit.matched()).isEqualTo(3);
            assertThat(audit.moved()).isZero();
        });
    }

    @Test
    void maxMessages_shouldLimitHowManyMove() {
        // GIVEN 25 matching dead letters
        for (int i = 0; i < 25; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }

        // WHEN at most 7 may move
        RedriveReport report = engine.run(confirmed().maxMessages(7).build(), source, target, RedriveListener.NONE);

        // THEN 7 moved and 18 remain, none left hidden
        assertThat(report.moved()).isEqualTo(7);
        assertThat(target.sent()).hasSize(7);
        assertThat(source.ids()).hasSize(18);
        assertThat(source.hiddenCount()).isZero();
    }

    @Test
    void maxMessages_shouldLimitTheCount_ofADryRun() {
        for (int i = 0; i < 12; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }

        RedriveReport report = engine.run(RedriveRequest.builder().operator("alice").dryRun(true).maxMessages(5).build(),
                source, target, RedriveListener.NONE);

        assertThat(report.matched()).isEqualTo(5);
        assertThat(source.ids()).hasSize(12);
    }

    @Test
    void rateLimit_shouldSpaceTheMoves_throughTheInjectedSleeper() {
        // GIVEN 5 dead letters and a limit of 2 per second
        for (int i = 0; i < 5; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }

        // WHEN redriven
        RedriveReport report = engine.run(confirmed().ratePerSecond(2).build(), source, target, RedriveListener.NONE);

        // THEN the first goes at once and each next one half a second later: 2 s of waiting in all
        assertThat(report.moved()).isEqualTo(5);
        assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500),
                Duration.ofMillis(500));
        assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(2));
        assertThat(audits.getFirst().finishedAt()).isEqualTo(NOW.plusSeconds(2));
    }

    @Test
    void rateLimit_shouldNotWait_whenTheSendsThemselvesAreSlowEnough() {
        // GIVEN a target that takes a whole second per send, and a limit of 2 per second
        for (int i = 0; i < 3; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }
        RedriveTarget slow = new RedriveTarget() {
            @Override
            public String name() {
                return "orders";
            }

            @Override
            public void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes) {
                clock.advance(Duration.ofSeconds(1));
                target.send(deadLetter, body, attributes);
            }
        };

        // WHEN redriven THEN the engine never sleeps on top
        engine.run(confirmed().ratePerSecond(2).build(), source, slow, RedriveListener.NONE);

        assertThat(target.sent()).hasSize(3);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void run_shouldNotSleep_withoutARateLimit() {
        for (int i = 0; i < 5; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }

        engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        assertThat(target.sent()).hasSize(5);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void run_shouldRefuse_anUnconfirmedRedrive_beforeTouchingTheQueue() {
        // GIVEN a dead letter and a request that is neither confirmed nor a dry run
        addDeadLetter("p1", exhausted("m1", NOW));
        RedriveRequest unconfirmed = RedriveRequest.builder().operator("alice").build();

        // WHEN run THEN it fails, and nothing was received, moved or audited
        assertThatThrownBy(() -> engine.run(unconfirmed, source, target, RedriveListener.NONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("confirmation");
        assertThat(source.receiveCalls()).isZero();
        assertThat(source.ids()).containsExactly("p1");
        assertThat(target.sent()).isEmpty();
        assertThat(audits).isEmpty();
    }

    @Test
    void run_shouldLeaveTheOriginalInTheQueue_whenTheTargetRefusesItsCopy() {
        // GIVEN three dead letters, the target refusing the second
        addDeadLetter("p1", exhausted("m1", NOW));
        addDeadLetter("p2", exhausted("m2", NOW));
        addDeadLetter("p3", exhausted("m3", NOW));
        target.refuse("p2");

        // WHEN redriven
        RedriveReport report = engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        // THEN the others moved, the refused one is still in the dead-letter queue (visible), counted as failed
        assertThat(target.sentIds()).containsExactlyInAnyOrder("p1", "p3");
        assertThat(source.ids()).containsExactly("p2");
        assertThat(source.hiddenCount()).isZero();
        assertThat(report).extracting(RedriveReport::matched, RedriveReport::moved, RedriveReport::failed)
                .containsExactly(3, 2, 1);
        assertThat(audits.getFirst().failed()).isEqualTo(1);
    }

    @Test
    void run_shouldEnd_whenTheSourceHandsOutTheSameMessagesAgain() {
        // GIVEN a source whose received messages stay visible (their hiding lapsed mid-scan)
        source = new InMemoryDeadLetterSource("orders-dlq", true);
        addDeadLetter("p1", exhausted("m1", NOW));
        addDeadLetter("p2", exhausted("m2", NOW));

        // WHEN a filter matches none of them
        RedriveReport report = engine.run(confirmed().filter(RedriveFilter.builder().ids(Set.of("other")).build()).build(),
                source, target, RedriveListener.NONE);

        // THEN the scan ends after seeing each once
        assertThat(report.scanned()).isEqualTo(2);
        assertThat(report.matched()).isZero();
    }

    @Test
    void interrupt_shouldStopTheRedrive_insteadOfDroppingTheRateLimit() {
        // Regression: an interrupted sleep was swallowed and every later Thread.sleep failed at once, so
        // the rest of the redrive ran at full speed against the rate limit.
        // GIVEN 6 dead letters at 1 per second, and a sleeper interrupted during the second wait
        for (int i = 0; i < 6; i++) {
            addDeadLetter("p" + i, exhausted("m" + i, NOW));
        }
        List<Duration> waits = new ArrayList<>();
        RedriveEngine interruptible = new RedriveEngine(clock, duration -> {
            waits.add(duration);
            if (waits.size() == 2) {
                throw new InterruptedException("operator cancelled");
            }
            clock.advance(duration);
        }, audits::add);

        // WHEN redriven
        RedriveReport report;
        try {
            report = interruptible.run(confirmed().ratePerSecond(1).build(), source, target, RedriveListener.NONE);
        } finally {
            // THEN the caller still sees the interrupt (and this test clears it)
            assertThat(Thread.interrupted()).isTrue();
        }

        // THEN it stopped after the message in hand: 3 moved, 3 still in the queue and visible, audited
        assertThat(report.moved()).isEqualTo(3);
        assertThat(target.sent()).hasSize(3);
        assertThat(source.ids()).hasSize(3);
        assertThat(source.hiddenCount()).isZero();
        assertThat(waits).hasSize(2);
        assertThat(audits).singleElement().satisfies(audit -> assertThat(audit.moved()).isEqualTo(3));
    }

    @Test
    void run_shouldStillWriteTheAuditRecord_whenTheSourceFailsMidway() {
        // Regression: an exception from the source after some moves skipped the audit record entirely.
        // GIVEN 15 dead letters and a source that fails on its second receive
        InMemoryDeadLetterSource flaky = new InMemoryDeadLetterSource("orders-dlq") {
            @Override
            public List<DeadLetter> receive(int max) {
                if (receiveCalls() == 1) {
                    throw new IllegalStateException("ReceiveMessage throttled");
                }
                return super.receive(max);
            }
        };
        for (int i = 0; i < 15; i++) {
            flaky.add("p" + i, body("m" + i), exhausted("m" + i, NOW).toAttributes(), NOW);
        }

        // WHEN redriven THEN the failure reaches the caller
        assertThatThrownBy(() -> engine.run(confirmed().build(), flaky, target, RedriveListener.NONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("throttled");

        // AND the audit record names the 10 messages already moved
        assertThat(target.sent()).hasSize(10);
        assertThat(audits).singleElement().satisfies(audit -> {
            assertThat(audit.operator()).isEqualTo("alice");
            assertThat(audit.moved()).isEqualTo(10);
        });
    }

    @Test
    void run_shouldReportProgress_afterEachDeadLetter() {
        // GIVEN three dead letters, one of which does not match
        addDeadLetter("p1", exhausted("m1", NOW));
        addDeadLetter("p2", envelope(FailureKind.POISON, "dev.sluice.core.codec.DecodingException", "m2", NOW));
        addDeadLetter("p3", exhausted("m3", NOW));
        List<RedriveProgress> progress = new ArrayList<>();

        // WHEN redriven with a listener
        engine.run(confirmed().maxMessages(10).filter(RedriveFilter.builder().kinds(Set.of(FailureKind.EXHAUSTED)).build())
                .build(), source, target, progress::add);

        // THEN it heard one update per dead letter, ending with the totals
        assertThat(progress).containsExactly(
                new RedriveProgress(1, 1, 1, 0, 10),
                new RedriveProgress(2, 1, 1, 0, 10),
                new RedriveProgress(3, 2, 2, 0, 10));
    }

    @Test
    void run_shouldWriteAnAuditRecord_thatCanBeReadBack() throws IOException {
        // GIVEN an engine writing JSON lines into a directory that does not exist yet
        Path file = dir.resolve("audit").resolve("redrive.jsonl");
        RedriveEngine audited = new RedriveEngine(clock, d -> clock.advance(d), new JsonLinesAuditLog(file));
        addDeadLetter("p1", exhausted("m1", NOW));
        addDeadLetter("p2", envelope(FailureKind.POISON, "dev.sluice.core.codec.DecodingException", "m2", NOW));
        RedriveFilter exhaustedOnly = RedriveFilter.builder().kinds(Set.of(FailureKind.EXHAUSTED)).build();

        // WHEN a dry run and then a real redrive run
        audited.run(RedriveRequest.builder().operator("alice@ops").dryRun(true).filter(exhaustedOnly).build(),
                source, target, RedriveListener.NONE);
        clock.advance(Duration.ofMinutes(1));
        audited.run(RedriveRequest.builder().operator("bob@ops").confirmed(true).filter(exhaustedOnly).build(),
                source, target, RedriveListener.NONE);

        // THEN each run appended one record: who, when, which queues, which filter, how many
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode dry = mapper.readTree(lines.get(0));
        JsonNode real = mapper.readTree(lines.get(1));
        assertThat(dry.get("operator").asText()).isEqualTo("alice@ops");
        assertThat(dry.get("dry_run").asBoolean()).isTrue();
        assertThat(dry.get("matched").asInt()).isEqualTo(1);
        assertThat(dry.get("moved").asInt()).isZero();
        assertThat(real.get("operator").asText()).isEqualTo("bob@ops");
        assertThat(real.get("started_at").asText()).isEqualTo("2026-01-15T12:01:00Z");
        assertThat(real.get("finished_at").asText()).isEqualTo("2026-01-15T12:01:00Z");
        assertThat(real.get("source").asText()).isEqualTo("orders-dlq");
        assertThat(real.get("target").asText()).isEqualTo("orders");
        assertThat(real.get("filter").get("kinds").get(0).asText()).isEqualTo("EXHAUSTED");
        assertThat(real.get("outcome").asText()).isEqualTo("confirmed");
        assertThat(dry.get("outcome").asText()).isEqualTo("dry_run");
        assertThat(real.get("dry_run").asBoolean()).isFalse();
        assertThat(real.get("matched").asInt()).isEqualTo(1);
        assertThat(real.get("moved").asInt()).isEqualTo(1);
        assertThat(real.get("failed").asInt()).isZero();
    }

    @Test
    void run_shouldReturnTheAuditRecordItWrote() {
        addDeadLetter("p1", exhausted("m1", NOW));

        RedriveReport report = engine.run(confirmed().build(), source, target, RedriveListener.NONE);

        assertThat(audits).containsExactly(report.audit());
        assertThat(report.audit()).isEqualTo(new AuditRecord("alice", NOW, NOW, "orders-dlq", "orders", Map.of(), false, 1, 1, 0,
                AuditRecord.Outcome.CONFIRMED));
    }

    @Test
    void request_shouldRejectInvalidSettings_namingThem() {
        assertThatThrownBy(() -> RedriveRequest.builder().operator("alice").maxMessages(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMessages");
        assertThatThrownBy(() -> RedriveRequest.builder().operator("alice").ratePerSecond(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratePerSecond");
        assertThatThrownBy(() -> RedriveRequest.builder().confirmed(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operator");
        assertThatThrownBy(() -> RedriveFilter.builder().olderThan(Duration.ofDays(2)).newerThan(Duration.ofDays(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newerThan").hasMessageContaining("olderThan");
    }

    private static RedriveRequest.Builder confirmed() {
        return RedriveRequest.builder().operator("alice").confirmed(true);
    }

    private void addDeadLetter(String providerId, DeadLetterEnvelope envelope) {
        source.add(providerId, body(envelope.originalMessageId()), envelope.toAttributes(), envelope.lastFailureAt());
    }

    private static DeadLetterEnvelope exhausted(String originalId, Instant failedAt) {
        return envelope(FailureKind.EXHAUSTED, TIMEOUT, originalId, failedAt);
    }

    private static DeadLetterEnvelope envelope(FailureKind kind, String errorType, String originalId, Instant failedAt) {
        return new DeadLetterEnvelope(kind, errorType, "failed", "0123456789abcdef", 3, failedAt.minus(Duration.ofMinutes(5)),
                failedAt, "orders", originalId);
    }

    private static byte[] body(String id) {
        return ("{\"orderId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
