package dev.sluice.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.RecordStateMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** What only the in-memory store does; the cases every store shares are in {@link InMemoryIdempotencyStoreContractTest}. */
class InMemoryIdempotencyStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

    private static BeginRequest request(String key, String fingerprint, Instant now) {
        return new BeginRequest(key, fingerprint, now, now.plusSeconds(60), now.plus(Duration.ofHours(1)));
    }

    @RepeatedTest(5)
    void sixtyFourThreadsBeginTheSameKey_exactlyOneAcquires() throws Exception {
        // GIVEN 64 threads released at the same moment
        int threads = 64;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<BeginResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.begin(request("order-1", "fp", T0));
                }));
            }
            // WHEN they all begin the same key
            start.countDown();

            // THEN exactly one acquired and the other 63 see it in progress
            List<BeginResult> outcomes = new ArrayList<>();
            for (Future<BeginResult> f : results) {
                outcomes.add(f.get());
            }
            assertThat(outcomes).filteredOn(r -> r instanceof BeginResult.Acquired).hasSize(1);
            assertThat(outcomes).filteredOn(r -> r instanceof BeginResult.InProgress).hasSize(threads - 1);
        }
    }

    @Test
    void release_countsOnlyTheHoldersFailure() {
        BeginResult.Acquired first = (BeginResult.Acquired) store.begin(request("k", "fp", T0));
        BeginResult.Acquired second = (BeginResult.Acquired) store.begin(request("k", "fp", T0.plusSeconds(61)));

        store.release(first, RecordStateMachine.failed(first, T0.plusSeconds(62)));
        assertThat(store.find("k")).hasValueSatisfying(r -> assertThat(r.failures()).isZero());
        store.release(second, RecordStateMachine.failed(second, T0.plusSeconds(63)));
        assertThat(store.find("k")).hasValueSatisfying(r -> {
            assertThat(r.failures()).isEqualTo(1);
            assertThat(r.firstFailureAt()).isEqualTo(T0.plusSeconds(63));
        });
    }

    @Test
    void transactionWrites_applyOnlyOnComplete() {
        BeginResult.Acquired lease = (BeginResult.Acquired) store.begin(request("k", "fp", T0));
        InMemoryIdempotencyStore.Transaction tx = (InMemoryIdempotencyStore.Transaction) store.openTransaction(lease);
        List<String> effects = new ArrayList<>();
        tx.add(() -> effects.add("debit"));

        assertThat(effects).isEmpty();
        store.complete(lease, T0.plus(Duration.ofHours(1)), tx);
        assertThat(effects).containsExactly("debit");
        assertThat(tx.size()).isEqualTo(1);
    }

    @Test
    void expiredRecords_areSweptOnceAMinuteOfRequestTime() {
        // GIVEN a record that expires a day after T0, and the first sweep done at T0
        store.begin(new BeginRequest("old", "fp", T0, T0.plusSeconds(60), T0.plus(Duration.ofDays(1))));

        // WHEN keys arrive after it expired: within a minute of the last sweep, then a minute later
        Instant expired = T0.plus(Duration.ofDays(1)).plusSeconds(1);
        store.begin(new BeginRequest("new-1", "fp", T0.plusSeconds(30), T0.plusSeconds(90), T0.plus(Duration.ofDays(2))));
        boolean keptBeforeTheInterval = store.find("old").isPresent();
        store.begin(new BeginRequest("new-2", "fp", expired, expired.plusSeconds(60), expired.plus(Duration.ofDays(1))));

        // THEN the expired record stays until a sweep is due, then goes; live records stay
        assertThat(keptBeforeTheInterval).isTrue();
        assertThat(store.find("old")).isEmpty();
        assertThat(store.find("new-1")).isPresent();
        assertThat(store.find("new-2")).isPresent();
    }
}
