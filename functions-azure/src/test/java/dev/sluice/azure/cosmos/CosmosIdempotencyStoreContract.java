package dev.sluice.azure.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.internal.CosmosRecords;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link CosmosIdempotencyStore} promises, run against each Cosmos engine (the local server, and
 * the emulator where Docker exists). The same cases as the DynamoDB store's: one winner among concurrent
 * begins, ETag-conditioned completion and release, lapsed leases, mismatches and TTL.
 */
abstract class CosmosIdempotencyStoreContract {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Duration LEASE = Duration.ofMinutes(5);
    static final Duration TTL = Duration.ofDays(1);

    CosmosContainer container;
    CosmosIdempotencyStore store;

    /** @return a fresh idempotency container on this engine */
    abstract CosmosContainer newContainer();

    /** Moves the engine's TTL clock forward, or skips the test where the engine cannot. */
    abstract void advanceEngineClock(Duration duration);

    @BeforeEach
    void newStore() {
        container = newContainer();
        store = CosmosIdempotencyStore.builder().container(container).build();
    }

    static BeginRequest request(String key, String fingerprint, Instant now) {
        return new BeginRequest(key, fingerprint, now, now.plus(LEASE), now.plus(TTL));
    }

    @Test
    void thirtyTwoConcurrentBegins_ofOneKey_acquireExactlyOnce() throws Exception {
        // GIVEN 32 consumers that start a begin of the same key at the same moment
        int consumers = 32;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<BeginResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(consumers)) {
            for (int i = 0; i < consumers; i++) {
                Callable<BeginResult> begin = () -> {
                    start.await();
                    return store.begin(request("order-42", "fp-1", T0));
                };
                futures.add(pool.submit(begin));
            }
            // WHEN they all run
            start.countDown();
            List<BeginResult> results = new ArrayList<>();
            for (Future<BeginResult> f : futures) {
                results.add(f.get());
            }
            // THEN exactly one holds the key and the other 31 see a live lease
            assertThat(results).filteredOn(BeginResult.Acquired.class::isInstance).hasSize(1);
            assertThat(results).filteredOn(BeginResult.InProgress.class::isInstance).hasSize(consumers - 1);
        }
    }

    @Test
    void sixteenConcurrentTakeoversOfALapsedLease_acquireExactlyOnce() throws Exception {
        // GIVEN a key whose holder crashed: its lease ended at T0 + 5 min
        store.begin(request("order-crashed", "fp-1", T0));
        Instant later = T0.plus(LEASE).plusSeconds(1);

        // WHEN 16 consumers begin it at the same moment after the lapse
        int consumers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<BeginResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(consumers)) {
            for (int i = 0; i < consumers; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.begin(request("order-crashed", "fp-1", later));
                }));
            }
            start.countDown();
            List<BeginResult> results = new ArrayList<>();
            for (Future<BeginResult> f : futures) {
                results.add(f.get());
            }
            // THEN the ETag condition lets exactly one replace the lapsed record; the rest see its new lease
            assertThat(results).filteredOn(BeginResult.Acquired.class::isInstance).hasSize(1);
            assertThat(results).filteredOn(BeginResult.InProgress.class::isInstance).hasSize(consumers - 1);
        }
    }

    @Test
    void completedKey_isADuplicate_andTheSameKeyWithAnotherPayloadIsAMismatch() {
        // GIVEN a key that was begun and completed
        BeginResult.Acquired lease = (BeginResult.Acquired) store.begin(request("pay-1", "amount-100", T0));
        store.complete(lease, T0.plus(TTL), null);

        // WHEN the same payload and then a changed payload arrive again
        BeginResult again = store.begin(request("pay-1", "amount-100", T0.plusSeconds(10)));
        BeginResult changed = store.begin(request("pay-1", "amount-999", T0.plusSeconds(10)));

        // THEN the first is a duplicate, the second a mismatch naming the stored fingerprint
        assertThat(again).isInstanceOf(BeginResult.AlreadyCompleted.class);
        assertThat(changed).isEqualTo(new BeginResult.Mismatch("pay-1", "amount-100"));
    }

    @Test
    void liveLease_isInProgress_untilItLapses_thenAnotherConsumerTakesOver() {
        // GIVEN consumer A holds a lease that ends at T0 + 5 min
        BeginResult.Acquired a = (BeginResult.Acquired) store.begin(request("k-lease", "fp", T0));

        // WHEN consumer B begins before and after the lease ends
        BeginResult during = store.begin(request("k-lease", "fp", T0.plus(LEASE).minusSeconds(1)));
        BeginResult after = store.begin(request("k-lease", "fp", T0.plus(LEASE)));

        // THEN B waits while A's lease lives, then acquires with a new ETag
        assertThat(during).isEqualTo(new BeginResult.InProgress("k-lease", a.leaseExpiresAt()));
        assertThat(after).isInstanceOf(BeginResult.Acquired.class);
        assertThat(((BeginResult.Acquired) after).token()).isNotEqualTo(a.token());
    }

    @Test
    void staleLease_cannotComplete_andItsReleaseLeavesTheNewHolderAlone() {
        // GIVEN A's lease lapsed and B took the key over
        BeginResult.Acquired a = (BeginResult.Acquired) store.begin(request("k-stale", "fp", T0));
        BeginResult.Acquired b = (BeginResult.Acquired) store.begin(request("k-stale", "fp", T0.plus(LEASE).plusSeconds(1)));

        // WHEN A, late, tries to complete and then releases
        assertThatThrownBy(() -> store.complete(a, T0.plus(TTL), null))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("no longer held");
        store.release(a);

        // THEN B's claim is intact and B completes normally
        assertThat(store.begin(request("k-stale", "fp", T0.plus(LEASE).plusSeconds(2))))
                .isInstanceOf(BeginResult.InProgress.class);
        store.complete(b, T0.plus(TTL), null);
        assertThat(store.begin(request("k-stale", "fp", T0.plus(LEASE).plusSeconds(3))))
                .isInstanceOf(BeginResult.AlreadyCompleted.class);
    }

    @Test
    void releasedKey_canBeAcquiredAgainAtOnce() {
        // GIVEN a lease whose handler failed with a retryable error
        BeginResult.Acquired first = (BeginResult.Acquired) store.begin(request("k-retry", "fp", T0));

        // WHEN it is released and the retry begins
        store.release(first);
        BeginResult retry = store.begin(request("k-retry", "fp", T0.plusSeconds(1)));

        // THEN the retry runs
        assertThat(retry).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    void recordPastItsExpiry_isTreatedAsAbsent_evenBeforeCosmosDeletesIt() {
        // GIVEN a completed record that expires at T0 + 1 day
        BeginResult.Acquired lease = (BeginResult.Acquired) store.begin(request("k-old", "fp-old", T0));
        store.complete(lease, T0.plus(TTL), null);

        // WHEN the key comes back after the expiry, even with another payload
        BeginResult later = store.begin(request("k-old", "fp-new", T0.plus(TTL).plusSeconds(1)));

        // THEN it is new work, as on DynamoDB where the expiration attribute is checked in the condition
        assertThat(later).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    void records_carryAnItemTtl_andCosmosDeletesThemWhenItRunsOut() {
        // GIVEN a completed record whose expiry is 90 s after it was begun
        Instant now = Instant.now();
        BeginRequest shortLived = new BeginRequest("k-ttl", "fp", now, now.plusSeconds(30), now.plusSeconds(90));
        BeginResult.Acquired lease = (BeginResult.Acquired) store.begin(shortLived);
        store.complete(lease, now.plusSeconds(90), null);
        ObjectNode stored = readRecord("k-ttl").orElseThrow();
        assertThat(stored.path("ttl").asLong()).isBetween(90L, 91L);
        assertThat(stored.path("status").asText()).isEqualTo("COMPLETED");

        // WHEN the engine's clock passes the ttl
        advanceEngineClock(Duration.ofSeconds(91));

        // THEN the record is gone and the key can be begun again
        assertThat(readRecord("k-ttl")).isEmpty();
        assertThat(store.begin(request("k-ttl", "fp", Instant.now()))).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    void longAndUnsafeKeys_areHashedIntoValidCosmosIds() {
        // GIVEN keys Cosmos ids cannot hold as they are: 1000 chars, and slashes / question marks
        String longKey = "x".repeat(1000);
        String unsafeKey = "orders/2024?id=7#a";

        // WHEN they are begun and completed
        for (String key : List.of(longKey, unsafeKey)) {
            BeginResult.Acquired lease = (BeginResult.Acquired) store.begin(request(key, "fp", T0));
            store.complete(lease, T0.plus(TTL), null);
        }

        // THEN each is recognised as done, under an id of at most 255 characters
        assertThat(store.begin(request(longKey, "fp", T0.plusSeconds(1)))).isInstanceOf(BeginResult.AlreadyCompleted.class);
        assertThat(store.begin(request(unsafeKey, "fp", T0.plusSeconds(1)))).isInstanceOf(BeginResult.AlreadyCompleted.class);
        assertThat(CosmosRecords.recordId(longKey)).hasSizeLessThanOrEqualTo(255);
        assertThat(readRecord(longKey)).isPresent();
    }

    Optional<ObjectNode> readRecord(String key) {
        try {
            return Optional.of(container.readItem(CosmosRecords.recordId(key), new PartitionKey(store.partitionKeyValue(key)),
                    ObjectNode.class).getItem());
        } catch (CosmosException e) {
            assumeTrue(e.getStatusCode() == 404, () -> "unexpected status " + e.getStatusCode());
            return Optional.empty();
        }
    }
}
