package dev.sluice.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.RecordStateMachine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdempotencyStore} promises, whatever its engine: the decision table (free, mismatch,
 * completed, in progress), exactly one winner among concurrent begins, lease lapse and takeover, expiry by the
 * store's own condition (no engine deletes anything for it), and that a stale lease can neither complete nor
 * release the new holder's record, and attempt counting (a released failure is counted on the record and returned by
 * the next begin; a count never survives the record's expiry). Time is logical: every request carries its {@code now}, so the cases run
 * on any engine without waiting.
 *
 * <p>Each store's tests extend this class (shared-core's test-jar) and supply {@link #newStore()}: the
 * in-memory store in shared-core, DynamoDB on moto in functions-aws, Cosmos DB on the local server in
 * functions-azure.
 */
public abstract class IdempotencyStoreContract {
    /** A logical start time, far from the wall clock so no engine-side clock can interfere. */
    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** The lease every request asks for. */
    protected static final Duration LEASE = Duration.ofMinutes(5);
    /** The record lifetime every request asks for. */
    protected static final Duration TTL = Duration.ofDays(1);

    /** The store under test, fresh for each case. */
    protected IdempotencyStore store;

    /** @return a store with no records (e.g. on a new table or container) */
    protected abstract IdempotencyStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    /**
     * @param key a key
     * @param payload the payload whose fingerprint the request carries
     * @param now the request's time
     * @return a begin request with the contract's lease and lifetime
     */
    protected static BeginRequest request(String key, String payload, Instant now) {
        return new BeginRequest(key, fingerprint(payload), now, now.plus(LEASE), now.plus(TTL));
    }

    /**
     * @param payload a payload
     * @return its fingerprint as the pipeline computes it (SHA-256, lower-case hex)
     */
    protected static String fingerprint(String payload) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private BeginResult.Acquired acquire(String key, String payload, Instant now) {
        BeginResult result = store.begin(request(key, payload, now));
        assertThat(result).as("begin of %s", key).isInstanceOf(BeginResult.Acquired.class);
        return (BeginResult.Acquired) result;
    }

    private List<BeginResult> concurrently(int consumers, BeginRequest request) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<BeginResult>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(consumers)) {
            for (int i = 0; i < consumers; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.begin(request);
                }));
            }
            start.countDown();
            List<BeginResult> results = new ArrayList<>();
            for (Future<BeginResult> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    @Test
    public void read_readsARecordWithoutClaimingIt() {
        // GIVEN one key completed, one in progress, and one never begun
        BeginResult.Acquired done = acquire("order-found-1", "amount=100", T0);
        store.complete(done, T0.plus(TTL), null);
        acquire("order-found-2", "amount=200", T0);

        // THEN read reports each as it is, and claims nothing: the in-progress key's lease still holds
        assertThat(store.read("order-found-1")).hasValueSatisfying(r -> {
            assertThat(r.status()).isEqualTo(dev.sluice.core.spi.RecordState.Status.COMPLETED);
            assertThat(r.expired(T0.plusSeconds(1))).isFalse();
        });
        assertThat(store.read("order-found-2")).hasValueSatisfying(r ->
                assertThat(r.status()).isEqualTo(dev.sluice.core.spi.RecordState.Status.IN_PROGRESS));
        assertThat(store.read("order-never-begun")).isEmpty();
        assertThat(store.begin(request("order-found-2", "amount=200", T0.plusSeconds(1))))
                .isInstanceOf(BeginResult.InProgress.class);
    }

    @Test
    public void thirtyTwoConcurrentBegins_ofOneKey_acquireExactlyOnce() throws Exception {
        // WHEN 32 consumers begin the same key at the same moment
        List<BeginResult> results = concurrently(32, request("order-42", "amount=100", T0));

        // THEN exactly one holds it and the other 31 see its live lease
        assertThat(results).filteredOn(BeginResult.Acquired.class::isInstance).hasSize(1);
        assertThat(results).filteredOn(BeginResult.InProgress.class::isInstance).hasSize(31);
    }

    @Test
    public void sixteenConcurrentTakeoversOfALapsedLease_acquireExactlyOnce() throws Exception {
        // GIVEN a key whose holder crashed: its lease ended at T0 + 5 min
        acquire("order-crashed", "amount=100", T0);

        // WHEN 16 consumers begin it at the same moment after the lapse
        List<BeginResult> results = concurrently(16, request("order-crashed", "amount=100", T0.plus(LEASE).plusSeconds(1)));

        // THEN exactly one replaces the lapsed record; the rest see the new lease
        assertThat(results).filteredOn(BeginResult.Acquired.class::isInstance).hasSize(1);
        assertThat(results).filteredOn(BeginResult.InProgress.class::isInstance).hasSize(15);
    }

    @Test
    public void completedKey_isADuplicate_andTheSameKeyWithAnotherPayloadIsAMismatch() {
        // GIVEN a payment that was begun and completed
        store.complete(acquire("pay-1", "amount=100", T0), T0.plus(TTL), null);

        // WHEN the same payload and then a changed amount arrive under the same key
        BeginResult again = store.begin(request("pay-1", "amount=100", T0.plusSeconds(10)));
        BeginResult changed = store.begin(request("pay-1", "amount=999", T0.plusSeconds(10)));

        // THEN the first is a duplicate, the second a mismatch naming the stored fingerprint
        assertThat(again).isEqualTo(new BeginResult.AlreadyCompleted("pay-1"));
        assertThat(changed).isEqualTo(new BeginResult.Mismatch("pay-1", fingerprint("amount=100")));
    }

    @Test
    public void inProgressKeyWithAnotherPayload_isAMismatch_notAWait() {
        // GIVEN a payment whose handler is running
        acquire("pay-2", "amount=100", T0);

        // WHEN the same key arrives with another amount while the lease lives
        BeginResult changed = store.begin(request("pay-2", "amount=999", T0.plusSeconds(1)));

        // THEN it is refused as a mismatch at once, not retried behind the lease
        assertThat(changed).isEqualTo(new BeginResult.Mismatch("pay-2", fingerprint("amount=100")));
    }

    @Test
    public void liveLease_isInProgressUntilItLapses_thenAnotherConsumerTakesOver() {
        // GIVEN consumer A holds a lease that ends at T0 + 5 min
        BeginResult.Acquired a = acquire("k-lease", "p", T0);

        // WHEN consumer B begins just before and at the end of the lease
        BeginResult during = store.begin(request("k-lease", "p", T0.plus(LEASE).minusSeconds(1)));
        BeginResult after = store.begin(request("k-lease", "p", T0.plus(LEASE)));

        // THEN B waits while A's lease lives (and learns when it ends), then acquires with its own token
        assertThat(during).isEqualTo(new BeginResult.InProgress("k-lease", a.leaseExpiresAt()));
        assertThat(after).isInstanceOf(BeginResult.Acquired.class);
        assertThat(((BeginResult.Acquired) after).token()).isNotEqualTo(a.token());
    }

    @Test
    public void staleLease_cannotComplete_andItsReleaseLeavesTheNewHolderAlone() {
        // GIVEN A's lease lapsed and B took the key over
        BeginResult.Acquired a = acquire("k-stale", "p", T0);
        BeginResult.Acquired b = acquire("k-stale", "p", T0.plus(LEASE).plusSeconds(1));

        // WHEN A, late, tries to complete and then releases
        assertThatThrownBy(() -> store.complete(a, T0.plus(TTL), null))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("no longer held");
        store.release(a, RecordStateMachine.failed(a, T0.plus(LEASE).plusSeconds(2)));

        // THEN B's claim is intact, and B completes normally
        assertThat(store.begin(request("k-stale", "p", T0.plus(LEASE).plusSeconds(2)))).isInstanceOf(BeginResult.InProgress.class);
        store.complete(b, T0.plus(TTL), null);
        assertThat(store.begin(request("k-stale", "p", T0.plus(LEASE).plusSeconds(3)))).isInstanceOf(BeginResult.AlreadyCompleted.class);
    }

    @Test
    public void releasedKey_canBeAcquiredAgainAtOnce() {
        // GIVEN a lease whose handler failed with a retryable error, released
        BeginResult.Acquired failed = acquire("k-retry", "p", T0);
        store.release(failed, RecordStateMachine.failed(failed, T0.plusMillis(500)));

        // WHEN the retry begins, long before the old lease would have lapsed
        BeginResult retry = store.begin(request("k-retry", "p", T0.plusSeconds(1)));

        // THEN it runs
        assertThat(retry).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    public void recordPastItsExpiry_isFree_byTheStoresOwnCondition_evenWithAnotherPayload() {
        // GIVEN a completed record that expires at T0 + 1 day (no engine deletes it: moto never does, DynamoDB
        // and Cosmos DB may take their time)
        store.complete(acquire("k-old", "old", T0), T0.plus(TTL), null);

        // WHEN the key comes back just before and just after the expiry
        BeginResult before = store.begin(request("k-old", "new", T0.plus(TTL).minusSeconds(1)));
        BeginResult after = store.begin(request("k-old", "new", T0.plus(TTL).plusSeconds(1)));

        // THEN it is a mismatch while the record lives, and new work once it has expired
        assertThat(before).isInstanceOf(BeginResult.Mismatch.class);
        assertThat(after).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    public void completion_setsTheRecordsExpiry() {
        // GIVEN a record completed with an expiry of T0 + 2 days (longer than the begin asked for)
        Instant expiresAt = T0.plus(TTL).plus(TTL);
        store.complete(acquire("k-ttl", "p", T0), expiresAt, null);

        // WHEN it is begun again after the begin's lifetime but before the completion's
        BeginResult later = store.begin(request("k-ttl", "p", T0.plus(TTL).plusSeconds(60)));

        // THEN the completion's expiry counts: still a duplicate
        assertThat(later).isEqualTo(new BeginResult.AlreadyCompleted("k-ttl"));
    }

    @Test
    public void longAndUnusualKeys_areStoredAndRecognised() {
        // GIVEN keys a naive store would mangle: 1,000 characters, slashes and query characters, non-ASCII
        List<String> keys = List.of("x".repeat(1000), "orders/2024?id=7#a", "commande-été-№7");

        // WHEN each is begun and completed
        for (String key : keys) {
            store.complete(acquire(key, "p", T0), T0.plus(TTL), null);
        }

        // THEN each is recognised as done, and none collides with another
        for (String key : keys) {
            assertThat(store.begin(request(key, "p", T0.plusSeconds(1)))).as(key).isInstanceOf(BeginResult.AlreadyCompleted.class);
        }
        assertThat(store.begin(request("orders/2024", "p", T0.plusSeconds(1)))).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    public void releasedFailure_isCounted_andReturnedByTheNextBegin() {
        // GIVEN an execution that failed with a retryable error at T0 + 2 s and was released
        BeginResult.Acquired first = acquire("k-count", "p", T0);
        assertThat(first.priorFailures()).isZero();
        assertThat(first.firstFailureAt()).isNull();
        store.release(first, RecordStateMachine.failed(first, T0.plusSeconds(2)));

        // WHEN the retry begins
        BeginResult.Acquired second = acquire("k-count", "p", T0.plusSeconds(3));

        // THEN it is attempt 2, and the store says when the first attempt failed
        assertThat(second.priorFailures()).isEqualTo(1);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.firstFailureAt()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    public void firstFailureTime_isKeptAcrossFailures() {
        // GIVEN three executions that each failed and were released
        Instant now = T0;
        for (int i = 0; i < 3; i++) {
            BeginResult.Acquired lease = acquire("k-first", "p", now);
            assertThat(lease.priorFailures()).isEqualTo(i);
            store.release(lease, RecordStateMachine.failed(lease, now.plusMillis(100)));
            now = now.plusSeconds(10);
        }

        // WHEN the fourth begins
        BeginResult.Acquired fourth = acquire("k-first", "p", now);

        // THEN three failures are on record, the first from the first execution
        assertThat(fourth.priorFailures()).isEqualTo(3);
        assertThat(fourth.firstFailureAt()).isEqualTo(T0.plusMillis(100));
    }

    @Test
    public void failureCount_isNotCarriedOverFromAnExpiredRecord() {
        // GIVEN a key with two failures on record, whose record expires at T0 + 1 day + 10 s
        BeginResult.Acquired a = acquire("k-expired", "p", T0);
        store.release(a, RecordStateMachine.failed(a, T0.plusSeconds(1)));
        BeginResult.Acquired b = acquire("k-expired", "p", T0.plusSeconds(10));
        store.release(b, RecordStateMachine.failed(b, T0.plusSeconds(11)));

        // WHEN the key comes back after the record expired, and that execution crashes (its lease lapses)
        BeginResult.Acquired fresh = acquire("k-expired", "p", T0.plus(TTL).plusSeconds(20));
        BeginResult.Acquired afterCrash = acquire("k-expired", "p", T0.plus(TTL).plusSeconds(20).plus(LEASE));

        // THEN it starts again at attempt 1, and the replaced record does not bring the old count back
        assertThat(fresh.priorFailures()).isZero();
        assertThat(fresh.firstFailureAt()).isNull();
        assertThat(afterCrash.priorFailures()).isZero();
    }

    @Test
    public void releaseByAStaleLease_countsNothing() {
        // GIVEN A's lease lapsed (A crashed: no count) and B took the key over
        BeginResult.Acquired a = acquire("k-stale-count", "p", T0);
        BeginResult.Acquired b = acquire("k-stale-count", "p", T0.plus(LEASE).plusSeconds(1));
        assertThat(b.priorFailures()).isZero();

        // WHEN A, late, releases as failed, and then B fails and releases
        store.release(a, RecordStateMachine.failed(a, T0.plus(LEASE).plusSeconds(2)));
        store.release(b, RecordStateMachine.failed(b, T0.plus(LEASE).plusSeconds(3)));

        // THEN only B's failure is on record
        BeginResult.Acquired c = acquire("k-stale-count", "p", T0.plus(LEASE).plusSeconds(4));
        assertThat(c.priorFailures()).isEqualTo(1);
        assertThat(c.firstFailureAt()).isEqualTo(T0.plus(LEASE).plusSeconds(3));
    }

    @Test
    public void completionAfterFailures_isADuplicate_andAChangedPayloadAMismatch() {
        // GIVEN a key that failed twice and then succeeded
        BeginResult.Acquired a = acquire("k-done", "p", T0);
        store.release(a, RecordStateMachine.failed(a, T0.plusSeconds(1)));
        BeginResult.Acquired b = acquire("k-done", "p", T0.plusSeconds(2));
        store.release(b, RecordStateMachine.failed(b, T0.plusSeconds(3)));
        BeginResult.Acquired c = acquire("k-done", "p", T0.plusSeconds(4));
        assertThat(c.attempt()).isEqualTo(3);
        store.complete(c, T0.plus(TTL), null);

        // WHEN it is delivered again, the same and changed
        BeginResult again = store.begin(request("k-done", "p", T0.plusSeconds(5)));
        BeginResult changed = store.begin(request("k-done", "q", T0.plusSeconds(5)));

        // THEN a duplicate and a mismatch
        assertThat(again).isEqualTo(new BeginResult.AlreadyCompleted("k-done"));
        assertThat(changed).isEqualTo(new BeginResult.Mismatch("k-done", fingerprint("p")));
    }

    @Test
    public void failureHoldingTheLease_isCounted_butTheKeyStaysHeldUntilTheLeaseLapses() {
        // GIVEN an execution that ran past its time limit (it may still run): counted, lease kept
        BeginResult.Acquired a = acquire("k-timeout", "p", T0);
        store.release(a, RecordStateMachine.failedHoldingLease(a, T0.plusSeconds(30)));

        // WHEN the key is begun during and after the lease
        BeginResult during = store.begin(request("k-timeout", "p", T0.plusSeconds(31)));
        BeginResult.Acquired after = acquire("k-timeout", "p", T0.plus(LEASE));

        // THEN it waits for the lease, then runs as attempt 2
        assertThat(during).isEqualTo(new BeginResult.InProgress("k-timeout", a.leaseExpiresAt()));
        assertThat(after.priorFailures()).isEqualTo(1);
        assertThat(after.firstFailureAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    public void releaseWithoutAFailure_freesTheKey_andCountsNothing() {
        // GIVEN a lease given back before the handler ran
        BeginResult.Acquired a = acquire("k-unused", "p", T0);
        store.release(a, RecordStateMachine.released(a, T0.plusSeconds(1)));

        // WHEN the key is begun again at once
        BeginResult.Acquired again = acquire("k-unused", "p", T0.plusSeconds(2));

        // THEN it runs as attempt 1
        assertThat(again.priorFailures()).isZero();
    }
}
