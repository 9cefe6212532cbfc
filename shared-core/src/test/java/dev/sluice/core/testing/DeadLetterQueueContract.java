package dev.sluice.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.DeadLetterInspection;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.ExportFileSource;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of the {@link DeadLetterQueue} port, the same for every provider: browsing reads without removing and
 * carries everything the provider holds (body bytes, typed attributes with binary ones, group or session, content
 * type); a source hides what it receives until it is removed or released; a redrive and a restore from an export keep
 * all of it and the stable id. Each adapter's tests extend this class (shared-core's test-jar) on its real engine, or
 * the closest one that runs here.
 */
public abstract class DeadLetterQueueContract {
    /** The attributes every seeded dead letter carries beside its envelope: a string, a typed number, bytes. */
    protected static final Map<String, AttributeValue> PRODUCER_ATTRIBUTES = producerAttributes();

    @TempDir
    protected Path dir;

    private DeadLetterQueue queue;

    /**
     * A dead letter as a provider holds it, to be put into the dead-letter queue by {@link #seed}.
     *
     * @param body the body bytes
     * @param attributes typed attributes, the envelope included
     * @param groupId the FIFO group or session, or null
     * @param contentType the content type, or null
     */
    public record Seed(byte[] body, Map<String, AttributeValue> attributes, @Nullable String groupId, @Nullable String contentType) {}

    /**
     * A message that arrived in the target queue.
     *
     * @param body the body bytes
     * @param attributes typed attributes
     * @param groupId the FIFO group or session, or null
     * @param contentType the content type, or null
     */
    public record Arrived(byte[] body, Map<String, AttributeValue> attributes, @Nullable String groupId, @Nullable String contentType) {}

    /** @return a dead-letter queue, and its target queue, both empty; closed after each test */
    protected abstract DeadLetterQueue newQueue();

    /** @param seed a dead letter to put into the queue {@link #newQueue()} returned last, as the provider would */
    protected abstract void seed(Seed seed);

    /** @return every message in the target queue now, consumed */
    protected abstract List<Arrived> drainTarget();

    /** @return whether messages carry a group or session id (FIFO queues, session queues) */
    protected abstract boolean hasGroups();

    /** @return whether the provider keeps a content type */
    protected abstract boolean hasContentType();

    /** @return whether bodies may be any bytes (Service Bus) rather than text (SQS) */
    protected abstract boolean bodiesAreBytes();

    @BeforeEach
    void open() {
        queue = newQueue();
    }

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    /** @return the queue under test */
    protected DeadLetterQueue queue() {
        return queue;
    }

    private static Map<String, AttributeValue> producerAttributes() {
        Map<String, AttributeValue> a = new LinkedHashMap<>();
        a.put("tenant", AttributeValue.string("acme"));
        a.put("priority", AttributeValue.text("Number.int", "7"));
        a.put("thumbprint", AttributeValue.binary(AttributeValue.BINARY, new byte[] {1, 2, 3, 0, (byte) 0xff}));
        return a;
    }

    /**
     * @param id the stable id
     * @param kind the failure kind
     * @return a dead letter with an envelope, the producer attributes, a group and a content type where the provider
     *     has them, and a body that is not ASCII (not UTF-8 at all where bodies are bytes)
     */
    protected Seed seedOf(String id, FailureKind kind) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, "com.example.Failure", "failed " + id, "fp-" + kind, 3, at, at,
                "orders", id);
        Map<String, AttributeValue> attributes = new LinkedHashMap<>(PRODUCER_ATTRIBUTES);
        envelope.toAttributes().forEach((name, value) -> attributes.put(name, AttributeValue.string(value)));
        byte[] body = bodiesAreBytes() ? new byte[] {'{', (byte) 0xff, 0, (byte) 0x80, '}'}
                : ("{\"orderId\":\"" + id + "\",\"note\":\"Grüße €\"}").getBytes(StandardCharsets.UTF_8);
        return new Seed(body, attributes, hasGroups() ? "customer-" + id : null, hasContentType() ? "application/json" : null);
    }

    private List<Seed> seedThree() {
        List<Seed> seeds = List.of(seedOf("o-1", FailureKind.EXHAUSTED), seedOf("o-2", FailureKind.POISON),
                seedOf("o-3", FailureKind.EXHAUSTED));
        seeds.forEach(this::seed);
        return seeds;
    }

    private void assertCarries(DeadLetter letter, Seed seed) {
        assertThat(letter.body()).as("body bytes").isEqualTo(seed.body());
        PRODUCER_ATTRIBUTES.forEach((name, value) ->
                assertThat(letter.typedAttributes()).as("typed attribute %s", name).containsEntry(name, value));
        assertThat(letter.groupId()).as("group or session").isEqualTo(seed.groupId());
        assertThat(letter.contentType()).as("content type").isEqualTo(seed.contentType());
        assertThat(letter.envelope()).as("envelope").isPresent();
    }

    private static Seed seedFor(List<Seed> seeds, DeadLetter letter) {
        String id = letter.originalMessageId();
        return seeds.stream().filter(s -> Objects.equals(s.attributes().get(SluiceAttributes.ORIGINAL_MESSAGE_ID).text(), id))
                .findFirst().orElseThrow(() -> new AssertionError("no seed with id " + id));
    }

    @Test
    void browse_readsEverything_andLeavesEveryDeadLetterInTheQueue() {
        List<Seed> seeds = seedThree();

        List<DeadLetter> first = queue.browse(10);
        List<DeadLetter> second = queue.browse(10);

        assertThat(first).extracting(DeadLetter::originalMessageId).containsExactlyInAnyOrder("o-1", "o-2", "o-3");
        first.forEach(letter -> assertCarries(letter, seedFor(seeds, letter)));
        assertThat(second).as("still there after a browse").hasSize(3);
        assertThat(queue.stats().visible()).isEqualTo(3);
    }

    @Test
    void browse_readsAtMostMax() {
        seedThree();

        assertThat(queue.browse(2)).hasSize(2);
        assertThat(queue.browse(10)).hasSize(3);
    }

    @Test
    void source_hidesWhatItReceives_untilReleased_andRemoveDeletes() {
        seedThree();
        List<DeadLetter> received = receiveAll(3);
        assertThat(received).hasSize(3);
        assertThat(queue.source().receive(10)).as("hidden while held").isEmpty();

        DeadLetter gone = received.getFirst();
        queue.source().remove(gone);
        received.subList(1, 3).forEach(queue.source()::release);

        assertThat(queue.browse(10)).extracting(DeadLetter::originalMessageId)
                .containsExactlyInAnyOrderElementsOf(received.subList(1, 3).stream().map(DeadLetter::originalMessageId).toList())
                .doesNotContain(gone.originalMessageId());
        assertThat(queue.stats().visible()).isEqualTo(2);
    }

    private List<DeadLetter> receiveAll(int expected) {
        List<DeadLetter> received = new ArrayList<>();
        for (int i = 0; i < 10 && received.size() < expected; i++) {
            received.addAll(queue.source().receive(10));
        }
        return received;
    }

    @Test
    void redrive_sendsCopiesKeepingBodyTypesGroupAndContentType_withTheStableId() {
        List<Seed> seeds = seedThree();

        RedriveReport report = RedriveEngine.withAuditLog(r -> { })
                .run(RedriveRequest.builder().operator("contract").confirmed(true).build(), queue.source(), queue.target(), p -> { });

        assertThat(report.moved()).isEqualTo(3);
        assertThat(queue.browse(10)).as("the dead-letter queue is empty").isEmpty();
        assertArrivedIntact(seeds, drainTarget(), 1);
    }

    @Test
    void export_thenRestore_loseNothing() throws Exception {
        List<Seed> seeds = seedThree();
        StringWriter export = new StringWriter();
        DeadLetterInspection.exportJsonLines(queue.browse(10), export);
        Path file = dir.resolve("export.jsonl");
        Files.writeString(file, export.toString(), StandardCharsets.UTF_8);

        ExportFileSource restored = ExportFileSource.open(file);
        restored.deadLetters().forEach(letter -> assertCarries(letter, seedFor(seeds, letter)));
        RedriveReport report = RedriveEngine.withAuditLog(r -> { })
                .run(RedriveRequest.builder().operator("contract").confirmed(true).build(), restored, queue.target(), p -> { });

        assertThat(report.moved()).isEqualTo(3);
        assertArrivedIntact(seeds, drainTarget(), 1);
        assertThat(queue.stats().visible()).as("a restore leaves the dead-letter queue alone").isEqualTo(3);
    }

    private void assertArrivedIntact(List<Seed> seeds, List<Arrived> arrived, int redriveCount) {
        assertThat(arrived).hasSize(seeds.size());
        for (Arrived copy : arrived) {
            String id = copy.attributes().get(SluiceAttributes.ORIGINAL_MESSAGE_ID).text();
            Seed seed = seeds.stream().filter(s -> s.attributes().get(SluiceAttributes.ORIGINAL_MESSAGE_ID).text().equals(id))
                    .findFirst().orElseThrow(() -> new AssertionError("a copy with an unknown stable id " + id));
            assertThat(Arrays.equals(copy.body(), seed.body())).as("body bytes of %s", id).isTrue();
            PRODUCER_ATTRIBUTES.forEach((name, value) ->
                    assertThat(copy.attributes()).as("typed attribute %s of %s", name, id).containsEntry(name, value));
            assertThat(copy.attributes().get(SluiceAttributes.REDRIVE_COUNT).text()).isEqualTo(Integer.toString(redriveCount));
            assertThat(copy.attributes()).as("failure description dropped").doesNotContainKey(SluiceAttributes.FAILURE_KIND);
            assertThat(copy.groupId()).as("group or session of %s", id).isEqualTo(seed.groupId());
            assertThat(copy.contentType()).as("content type of %s", id).isEqualTo(seed.contentType());
        }
    }
}
