package dev.sluice.azure.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.CosmosTransaction;
import dev.sluice.azure.internal.CosmosRecords;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactional mode on the local Cosmos server: the handler's writes and the {@code COMPLETED} record
 * commit in one {@code TransactionalBatch}, or not at all.
 */
class CosmosTransactionalIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    record Payment(String paymentId, String account, long amountCents) {}

    private CosmosContainer container;
    private CosmosIdempotencyStore store;

    @BeforeEach
    void newContainer() {
        container = COSMOS.get().newContainer("sluice");
        store = CosmosIdempotencyStore.builder().container(container).build();
    }

    private BatchProcessor<Payment> processor(MessageHandler<Payment> handler) {
        return BatchProcessor.<Payment>builder()
                .queueName("payments")
                .handler(handler)
                .codec(JsonCodec.of(Payment.class))
                .idempotency(IdempotencyOptions.builder().store(store).mode(IdempotencyMode.TRANSACTIONAL)
                        .keyPointer("/paymentId").build())
                .build();
    }

    /** Books the payment and bumps the account's counter, both in the payment's partition. */
    private static final MessageHandler<Payment> BOOK = (message, context) -> {
        Payment p = message.body();
        CosmosTransaction tx = context.transaction(CosmosTransaction.class);
        tx.create(Map.of("id", "booking-" + p.paymentId(), "pk", tx.partitionKeyValue(), "amountCents", p.amountCents()));
        tx.patch("counter", CosmosPatchOperations.create().increment("/bookings", 1));
    };

    private static IncomingMessage payment(String id, long amount) {
        return IncomingMessage.builder().providerMessageId("m-" + id + "-" + amount).sourceQueue("payments")
                .body("{\"paymentId\":\"" + id + "\",\"account\":\"acc-1\",\"amountCents\":" + amount + "}").build();
    }

    private Optional<ObjectNode> read(String id, String partition) {
        try {
            return Optional.of(container.readItem(id, new PartitionKey(partition), ObjectNode.class).getItem());
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void seedCounter(String partition) {
        container.createItem(Map.of("id", "counter", "pk", partition, "bookings", 0));
    }

    @Test
    void handlerWritesAndTheRecord_commitTogether() {
        // GIVEN a counter item in the payment's partition
        seedCounter("pay-1");

        // WHEN the payment is processed, then delivered again
        BatchResult first = processor(BOOK).process(List.of(payment("pay-1", 500)), Instant.MAX);
        BatchResult again = processor(BOOK).process(List.of(payment("pay-1", 500)), Instant.MAX);

        // THEN the booking, the counter increment and the COMPLETED record exist; the redelivery changed nothing
        assertThat(first.outcomes()).singleElement().isInstanceOf(MessageOutcome.Processed.class);
        assertThat(again.outcomes()).singleElement().isInstanceOf(MessageOutcome.Duplicate.class);
        assertThat(read("booking-pay-1", "pay-1")).get().satisfies(b -> assertThat(b.path("amountCents").asLong()).isEqualTo(500));
        assertThat(read("counter", "pay-1")).get().satisfies(c -> assertThat(c.path("bookings").asInt()).isEqualTo(1));
        assertThat(read(CosmosRecords.recordId("pay-1"), "pay-1")).get()
                .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("COMPLETED"));
    }

    @Test
    void aFailingHandlerWrite_rollsBackEverything_andTheMessageIsRetried() {
        // GIVEN the booking already exists (so the handler's create fails inside the transaction)
        seedCounter("pay-2");
        container.createItem(Map.of("id", "booking-pay-2", "pk", "pay-2", "amountCents", 1));

        // WHEN the payment is processed
        BatchResult result = processor(BOOK).process(List.of(payment("pay-2", 700)), Instant.MAX);

        // THEN nothing was committed: the counter is untouched, the record is released with the failure counted (not
        // completed), and the message will be retried
        assertThat(result.outcomes()).singleElement().isInstanceOf(MessageOutcome.Retry.class);
        assertThat(read("counter", "pay-2")).get().satisfies(c -> assertThat(c.path("bookings").asInt()).isZero());
        assertThat(read("booking-pay-2", "pay-2")).get().satisfies(b -> assertThat(b.path("amountCents").asLong()).isEqualTo(1));
        assertThat(read(CosmosRecords.recordId("pay-2"), "pay-2")).get().satisfies(r -> {
            assertThat(r.path("status").asText()).isEqualTo("IN_PROGRESS");
            assertThat(r.path("failures").asInt()).isEqualTo(1);
        });
    }

    @Test
    void aLostLease_rollsBackTheHandlersWrites() {
        // GIVEN consumer A holds the key, its lease lapses and consumer B takes the key over
        seedCounter("pay-3");
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        BeginResult.Acquired a = (BeginResult.Acquired) store.begin(
                new BeginRequest("pay-3", "fp", t0, t0.plusSeconds(60), t0.plus(Duration.ofDays(1))));
        store.begin(new BeginRequest("pay-3", "fp", t0.plusSeconds(61), t0.plusSeconds(120), t0.plus(Duration.ofDays(1))));

        // WHEN A, late, commits its transaction
        CosmosTransaction tx = (CosmosTransaction) store.openTransaction(a);
        tx.create(Map.of("id", "booking-pay-3", "pk", tx.partitionKeyValue(), "amountCents", 900));
        tx.patch("counter", CosmosPatchOperations.create().increment("/bookings", 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.complete(a, t0.plus(Duration.ofDays(1)), tx))
                .hasMessageContaining("lease lost");

        // THEN none of A's writes happened and B still holds the key
        assertThat(read("booking-pay-3", "pay-3")).isEmpty();
        assertThat(read("counter", "pay-3")).get().satisfies(c -> assertThat(c.path("bookings").asInt()).isZero());
        assertThat(read(CosmosRecords.recordId("pay-3"), "pay-3")).get()
                .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("IN_PROGRESS"));
    }
}
