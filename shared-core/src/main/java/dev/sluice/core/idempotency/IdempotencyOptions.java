package dev.sluice.core.idempotency;

import com.fasterxml.jackson.core.JsonPointer;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.spi.IdempotencyStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency settings. The key is the {@code idempotency-key} attribute when present, else the value at
 * {@link #keyPointer()} in the JSON payload when configured, else the message's stable id.
 */
public final class IdempotencyOptions {
    private final IdempotencyStore store;
    private final IdempotencyMode mode;
    private final @Nullable JsonPointer keyPointer;
    private final Duration ttl;
    private final Duration lease;

    private IdempotencyOptions(Builder b) {
        this.store = Objects.requireNonNull(b.store);
        this.mode = b.mode;
        this.keyPointer = b.keyPointer;
        this.ttl = b.ttl;
        this.lease = b.lease;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The options every adapter builds from its settings: the key pointer, TTL and lease of
     * {@code config}, with the adapter's store and mode.
     *
     * @param config the settings read at start
     * @param store the adapter's store
     * @param mode the mode the adapter chose
     * @return a builder with those set, for anything the adapter adds
     */
    public static Builder from(SluiceConfig config, IdempotencyStore store, IdempotencyMode mode) {
        return builder()
                .store(store)
                .mode(mode)
                .keyPointer(config.idempotencyKeyPointer().orElse(null))
                .ttl(config.idempotencyTtl())
                .lease(config.idempotencyLease());
    }

    /** @return the store */
    public IdempotencyStore store() {
        return store;
    }

    /** @return the mode */
    public IdempotencyMode mode() {
        return mode;
    }

    /** @return the JSON Pointer into the payload that yields the key, if configured */
    public Optional<JsonPointer> keyPointer() {
        return Optional.ofNullable(keyPointer);
    }

    /** @return how long a record lives */
    public Duration ttl() {
        return ttl;
    }

    /** @return how long an {@code IN_PROGRESS} claim lasts before another consumer may take over */
    public Duration lease() {
        return lease;
    }

    /** Builds {@link IdempotencyOptions}; {@code store} is required. */
    public static final class Builder {
        private @Nullable IdempotencyStore store;
        private IdempotencyMode mode = IdempotencyMode.GUARD;
        private @Nullable JsonPointer keyPointer;
        private Duration ttl = Duration.ofDays(21);
        private Duration lease = Duration.ofMinutes(5);

        private Builder() {}

        /** @param store the store @return this */
        public Builder store(IdempotencyStore store) {
            this.store = store;
            return this;
        }

        /** @param mode guard (default) or transactional @return this */
        public Builder mode(IdempotencyMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** @param pointer a JSON Pointer such as {@code /orderId}, or null for none @return this */
        public Builder keyPointer(@Nullable String pointer) {
            try {
                this.keyPointer = pointer == null || pointer.isBlank() ? null : JsonPointer.compile(pointer);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("keyPointer: '" + pointer + "' is not a JSON Pointer (e.g. /orderId)");
            }
            return this;
        }

        /** @param ttl record lifetime (default 21 days) @return this */
        public Builder ttl(Duration ttl) {
            this.ttl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** @param lease claim lifetime (default 5 minutes; at least the longest handler run) @return this */
        public Builder lease(Duration lease) {
            this.lease = Objects.requireNonNull(lease, "lease");
            return this;
        }

        /** @return the options @throws IllegalArgumentException naming the invalid property */
        public IdempotencyOptions build() {
            if (store == null) {
                throw new IllegalArgumentException("store is required");
            }
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("lease must be positive, got " + lease);
            }
            if (ttl.compareTo(lease) < 0) {
                throw new IllegalArgumentException("ttl (" + ttl + ") must not be shorter than lease (" + lease + ")");
            }
            if (mode == IdempotencyMode.TRANSACTIONAL && !store.supportsTransactions()) {
                throw new IllegalArgumentException("mode TRANSACTIONAL: " + store.getClass().getSimpleName()
                        + " does not support transactions");
            }
            return new IdempotencyOptions(this);
        }
    }
}
