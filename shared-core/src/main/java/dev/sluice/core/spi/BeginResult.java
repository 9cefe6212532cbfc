package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Objects;

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
     */
    record Acquired(String key, String fingerprint, Instant leaseExpiresAt, String token) implements BeginResult {
        /** Validates the components. */
        public Acquired {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
            Objects.requireNonNull(token, "token");
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
