package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The outcome of {@link IdempotencyStore#begin}. */
public sealed interface BeginResult
        permits BeginResult.Acquired, BeginResult.AlreadyCompleted, BeginResult.InProgress, BeginResult.Mismatch {

    /** @return the key */
    String key();

    /**
     * This consumer holds the key until {@code leaseExpiresAt}; run the handler.
     *
     * @param key the key
     * @param fingerprint the payload fingerprint written
     * @param leaseExpiresAt when the claim lapses
     * @param token the store's version of the record (e.g. an ETag), for conditional complete/release
     * @param priorFailures how many earlier executions of this key failed (0 for new work); this execution is
     *     attempt {@code priorFailures + 1}
     * @param firstFailureAt when the first of those failed, or null when none did
     */
    record Acquired(String key, String fingerprint, Instant leaseExpiresAt, String token, int priorFailures,
                    @Nullable Instant firstFailureAt) implements BeginResult {
        /** Validates the components. */
        public Acquired {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
            Objects.requireNonNull(token, "token");
            if (priorFailures < 0) {
                throw new IllegalArgumentException("priorFailures must not be negative");
            }
            if ((priorFailures == 0) != (firstFailureAt == null)) {
                throw new IllegalArgumentException("firstFailureAt is set exactly when priorFailures > 0");
            }
        }

        /**
         * New work: no earlier execution failed.
         *
         * @param key the key
         * @param fingerprint the payload fingerprint written
         * @param leaseExpiresAt when the claim lapses
         * @param token the store's version of the record
         */
        public Acquired(String key, String fingerprint, Instant leaseExpiresAt, String token) {
            this(key, fingerprint, leaseExpiresAt, token, 0, null);
        }

        /** @return the number of this execution, counted from 1 */
        public int attempt() {
            return priorFailures + 1;
        }
    }

    /** The key was completed with the same payload: a duplicate. @param key the key */
    record AlreadyCompleted(String key) implements BeginResult {}

    /**
     * Another consumer holds a live lease.
     *
     * @param key the key
     * @param leaseExpiresAt when that lease lapses
     */
    record InProgress(String key, Instant leaseExpiresAt) implements BeginResult {}

    /**
     * The key exists with another payload fingerprint.
     *
     * @param key the key
     * @param storedFingerprint the fingerprint on record
     */
    record Mismatch(String key, String storedFingerprint) implements BeginResult {}
}
