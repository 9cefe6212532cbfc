package dev.sluice.core.config;

import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.security.RefreshingSigningKeys;
import dev.sluice.core.security.SecretReference;
import dev.sluice.core.security.SignaturePolicy;
import dev.sluice.core.security.SigningKeySource;
import dev.sluice.core.security.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Sluice's settings. Sources, weakest first: defaults in code, an optional {@code sluice.properties}
 * (classpath root, or the file named by {@code SLUICE_CONFIG_FILE}), environment variables, builder
 * calls. Every value is checked in {@link Builder#build()}; a bad one fails start-up with a
 * {@link ConfigurationException} naming the variable. Properties files use the variable names as keys.
 */
public final class SluiceConfig {
    /** The queue to consume (required). */
    public static final String QUEUE_NAME = "QUEUE_NAME";
    /** The dead-letter queue (AWS) or parking queue (Azure, default {@code <queue>-parking}). */
    public static final String QUEUE_DLQ_NAME = "QUEUE_DLQ_NAME";
    /** Executions allowed per message, first included (default 3). */
    public static final String QUEUE_MAX_RETRY_ATTEMPTS = "QUEUE_MAX_RETRY_ATTEMPTS";
    /** Backoff base in milliseconds (default 1000). */
    public static final String QUEUE_RETRY_BACKOFF_MS = "QUEUE_RETRY_BACKOFF_MS";
    /** Backoff cap in milliseconds (default 300000). */
    public static final String QUEUE_RETRY_BACKOFF_MAX_MS = "QUEUE_RETRY_BACKOFF_MAX_MS";
    /** The queue's visibility timeout / lock duration in seconds (default 30). */
    public static final String QUEUE_VISIBILITY_TIMEOUT_SECONDS = "QUEUE_VISIBILITY_TIMEOUT_SECONDS";
    /** DynamoDB idempotency table. */
    public static final String IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE";
    /** Cosmos DB idempotency container. */
    public static final String IDEMPOTENCY_CONTAINER = "IDEMPOTENCY_CONTAINER";
    /** Idempotency record lifetime in seconds (default 1814400 = 21 days). */
    public static final String IDEMPOTENCY_TTL_SECONDS = "IDEMPOTENCY_TTL_SECONDS";
    /** Idempotency lease in seconds (default 300). */
    public static final String SLUICE_IDEMPOTENCY_LEASE_SECONDS = "SLUICE_IDEMPOTENCY_LEASE_SECONDS";
    /** JSON Pointer into the body that yields the idempotency key. */
    public static final String SLUICE_IDEMPOTENCY_KEY_POINTER = "SLUICE_IDEMPOTENCY_KEY_POINTER";
    /**
     * HMAC keys, {@code id:base64secret[,id:base64secret...]}; the first signs. Or a secret holding them:
     * {@code aws-secretsmanager:<secret id or ARN>} or {@code azure-keyvault:https://<vault>.vault.azure.net/secrets/<name>}.
     */
    public static final String SLUICE_SIGNING_KEYS = "SLUICE_SIGNING_KEYS";
    /** How often keys named by a secret in {@value #SLUICE_SIGNING_KEYS} are re-read, in seconds (default 300). */
    public static final String SLUICE_SIGNING_KEYS_REFRESH_SECONDS = "SLUICE_SIGNING_KEYS_REFRESH_SECONDS";
    /** Messages handled at once (default 16). */
    public static final String SLUICE_CONCURRENCY = "SLUICE_CONCURRENCY";
    /** Largest inflated payload in bytes (default 4194304). */
    public static final String SLUICE_MAX_PAYLOAD_BYTES = "SLUICE_MAX_PAYLOAD_BYTES";
    /** No message starts with less invocation time left, in milliseconds (default 2000). */
    public static final String SLUICE_SAFETY_MARGIN_MS = "SLUICE_SAFETY_MARGIN_MS";
    /**
     * Consecutive retryable handler failures (or timeouts) that open the circuit breaker, across the
     * invocations of a warm instance; 0 turns it off (default 5).
     */
    public static final String SLUICE_CIRCUIT_BREAKER_THRESHOLD = "SLUICE_CIRCUIT_BREAKER_THRESHOLD";
    /** How long the circuit breaker stays open before one probe runs, in milliseconds (default 30000). */
    public static final String SLUICE_CIRCUIT_OPEN_MS = "SLUICE_CIRCUIT_OPEN_MS";
    /**
     * The oldest signed sent-at accepted, in seconds (default: {@value #IDEMPOTENCY_TTL_SECONDS} minus
     * {@value #SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS}, the most that keeps a replay within its record's life).
     */
    public static final String SLUICE_SIGNATURE_MAX_AGE_SECONDS = "SLUICE_SIGNATURE_MAX_AGE_SECONDS";
    /** How far in the future a signed sent-at may lie, in seconds (default 300). */
    public static final String SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS = "SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS";
    /** {@code true} accepts body-only signatures while producers migrate (default {@code false}). */
    public static final String SLUICE_SIGNATURE_ACCEPT_BODY_ONLY = "SLUICE_SIGNATURE_ACCEPT_BODY_ONLY";
    /**
     * Where payloads too large for a message are stored (claim-check): {@code s3://<bucket>[/<prefix>]} or a Blob
     * Storage container's URL. A consumer needs it to read claim-checked messages; a sender stores large bodies there.
     */
    public static final String SLUICE_PAYLOAD_STORE = "SLUICE_PAYLOAD_STORE";
    /** {@code true} (default) deletes a stored payload once its message succeeded; {@code false} leaves it to a lifecycle rule. */
    public static final String SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS = "SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS";
    /** Path of a properties file to read instead of the classpath's {@code sluice.properties}. */
    public static final String SLUICE_CONFIG_FILE = "SLUICE_CONFIG_FILE";

    private final String queueName;
    private final @Nullable String dlqName;
    private final int maxAttempts;
    private final Duration retryBackoff;
    private final Duration retryBackoffMax;
    private final Duration visibilityTimeout;
    private final @Nullable String idempotencyTable;
    private final @Nullable String idempotencyContainer;
    private final Duration idempotencyTtl;
    private final Duration idempotencyLease;
    private final @Nullable String idempotencyKeyPointer;
    private final @Nullable SigningKeys signingKeys;
    private final @Nullable SecretReference signingKeysSecret;
    private final Duration signingKeysRefresh;
    private final SignaturePolicy signaturePolicy;
    private final int concurrency;
    private final int maxPayloadBytes;
    private final Duration safetyMargin;
    private final int circuitBreakerThreshold;
    private final Duration circuitOpenDelay;
    private final @Nullable PayloadLocation payloadStore;
    private final boolean deletePayloadsAfterSuccess;

    private SluiceConfig(Settings v) {
        this.queueName = v.required(QUEUE_NAME);
        this.dlqName = v.optional(QUEUE_DLQ_NAME);
        this.maxAttempts = (int) v.wholeNumber(QUEUE_MAX_RETRY_ATTEMPTS, 1, 1000);
        this.retryBackoff = Duration.ofMillis(v.wholeNumber(QUEUE_RETRY_BACKOFF_MS, 0, 43_200_000));
        this.retryBackoffMax = Duration.ofMillis(v.wholeNumber(QUEUE_RETRY_BACKOFF_MAX_MS, 0, 43_200_000));
        if (retryBackoffMax.compareTo(retryBackoff) < 0) {
            throw new ConfigurationException(QUEUE_RETRY_BACKOFF_MAX_MS,
                    "must not be below " + QUEUE_RETRY_BACKOFF_MS + " (" + retryBackoff.toMillis() + ")");
        }
        this.visibilityTimeout = Duration.ofSeconds(v.wholeNumber(QUEUE_VISIBILITY_TIMEOUT_SECONDS, 1, 43_200));
        this.idempotencyTable = v.optional(IDEMPOTENCY_TABLE);
        this.idempotencyContainer = v.optional(IDEMPOTENCY_CONTAINER);
        this.idempotencyTtl = Duration.ofSeconds(v.wholeNumber(IDEMPOTENCY_TTL_SECONDS, 60, 315_360_000));
        this.idempotencyLease = Duration.ofSeconds(v.wholeNumber(SLUICE_IDEMPOTENCY_LEASE_SECONDS, 1, 43_200));
        if (idempotencyTtl.compareTo(idempotencyLease) < 0) {
            throw new ConfigurationException(IDEMPOTENCY_TTL_SECONDS,
                    "must not be below " + SLUICE_IDEMPOTENCY_LEASE_SECONDS + " (" + idempotencyLease.toSeconds() + ")");
        }
        this.idempotencyKeyPointer = v.optional(SLUICE_IDEMPOTENCY_KEY_POINTER);
        if (idempotencyKeyPointer != null && !idempotencyKeyPointer.startsWith("/")) {
            throw new ConfigurationException(SLUICE_IDEMPOTENCY_KEY_POINTER,
                    "must be a JSON Pointer starting with '/', got '" + idempotencyKeyPointer + "'");
        }
        String keys = v.optional(SLUICE_SIGNING_KEYS);
        this.signingKeysSecret = keys == null ? null : SecretReference.parse(keys, SLUICE_SIGNING_KEYS).orElse(null);
        this.signingKeys = keys == null || signingKeysSecret != null ? null : SigningKeys.parse(keys, SLUICE_SIGNING_KEYS);
        this.signingKeysRefresh = Duration.ofSeconds(v.wholeNumber(SLUICE_SIGNING_KEYS_REFRESH_SECONDS, 1, 86_400));
        this.signaturePolicy = v.signaturePolicy(idempotencyTtl, signingKeys != null || signingKeysSecret != null);
        this.concurrency = (int) v.wholeNumber(SLUICE_CONCURRENCY, 1, 1024);
        this.maxPayloadBytes = (int) v.wholeNumber(SLUICE_MAX_PAYLOAD_BYTES, 1024, 256L * 1024 * 1024);
        this.safetyMargin = Duration.ofMillis(v.wholeNumber(SLUICE_SAFETY_MARGIN_MS, 0, 600_000));
        this.circuitBreakerThreshold = (int) v.wholeNumber(SLUICE_CIRCUIT_BREAKER_THRESHOLD, 0, 10_000);
        this.circuitOpenDelay = Duration.ofMillis(v.wholeNumber(SLUICE_CIRCUIT_OPEN_MS, 1, 43_200_000));
        String payloads = v.optional(SLUICE_PAYLOAD_STORE);
        this.payloadStore = payloads == null ? null : PayloadLocation.parse(payloads, SLUICE_PAYLOAD_STORE);
        this.deletePayloadsAfterSuccess = v.flag(SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS);
    }

    /**
     * Loads from the process environment and {@code sluice.properties}; the only place Sluice reads
     * {@code System.getenv}.
     *
     * @return a builder holding the loaded values; call {@code build()}, after any overrides
     */
    public static Builder fromEnvironment() {
        Map<String, String> env = System.getenv();
        return from(env, Settings.loadProperties(env.get(SLUICE_CONFIG_FILE)));
    }

    /**
     * @param environment variables (e.g. a test's map)
     * @param file properties file contents, or null
     * @return a builder holding defaults, then the file's values, then the environment's
     */
    public static Builder from(Map<String, String> environment, @Nullable Properties file) {
        Builder builder = new Builder();
        if (file != null) {
            file.stringPropertyNames().forEach(name -> builder.set(name, file.getProperty(name)));
        }
        environment.forEach((name, value) -> {
            if (Settings.isKnown(name)) {
                builder.set(name, value);
            }
        });
        return builder;
    }

    /** @return a builder holding only defaults */
    public static Builder builder() {
        return new Builder();
    }


    /** @return the queue to consume */
    public String queueName() { return queueName; }

    /** @return the dead-letter or parking queue, if set */
    public Optional<String> dlqName() { return Optional.ofNullable(dlqName); }

    /** @return executions allowed per message */
    public int maxAttempts() { return maxAttempts; }

    /** @return backoff base */
    public Duration retryBackoff() { return retryBackoff; }

    /** @return backoff cap */
    public Duration retryBackoffMax() { return retryBackoffMax; }

    /** @return the queue's visibility timeout / lock duration */
    public Duration visibilityTimeout() { return visibilityTimeout; }

    /** @return the DynamoDB idempotency table, if set */
    public Optional<String> idempotencyTable() { return Optional.ofNullable(idempotencyTable); }

    /** @return the Cosmos idempotency container, if set */
    public Optional<String> idempotencyContainer() { return Optional.ofNullable(idempotencyContainer); }

    /** @return idempotency record lifetime */
    public Duration idempotencyTtl() { return idempotencyTtl; }

    /** @return idempotency lease */
    public Duration idempotencyLease() { return idempotencyLease; }

    /** @return the JSON Pointer for idempotency keys, if set */
    public Optional<String> idempotencyKeyPointer() { return Optional.ofNullable(idempotencyKeyPointer); }

    /** @return the signing keys, if set inline (empty when {@link #signingKeysSecret()} names a secret) */
    public Optional<SigningKeys> signingKeys() { return Optional.ofNullable(signingKeys); }

    /** @return the secret holding the signing keys, if {@value #SLUICE_SIGNING_KEYS} names one */
    public Optional<SecretReference> signingKeysSecret() { return Optional.ofNullable(signingKeysSecret); }

    /** @return whether messages are signed and verified: keys inline or in a secret */
    public boolean signing() { return signingKeys != null || signingKeysSecret != null; }

    /** @return how often keys in a secret are re-read */
    public Duration signingKeysRefresh() { return signingKeysRefresh; }

    /**
     * The signing keys' source: fixed for inline keys; for a secret, read now (a failure fails start-up naming
     * {@value #SLUICE_SIGNING_KEYS}) and re-read every {@link #signingKeysRefresh()}.
     *
     * @param fetchers the adapter's fetcher for a secret (reads its value); asked only when a secret is named
     * @param clock the time refreshes follow
     * @return the source, or empty when signing is off
     * @throws ConfigurationException naming {@value #SLUICE_SIGNING_KEYS} when the first read fails
     */
    public Optional<SigningKeySource> signingKeySource(Function<SecretReference, Supplier<String>> fetchers, Clock clock) {
        if (signingKeys != null) {
            return Optional.of(SigningKeySource.of(signingKeys));
        }
        if (signingKeysSecret == null) {
            return Optional.empty();
        }
        return Optional.of(RefreshingSigningKeys.start(fetchers.apply(signingKeysSecret), SLUICE_SIGNING_KEYS,
                signingKeysSecret.toString(), signingKeysRefresh, RefreshingSigningKeys.DEFAULT_ON_DEMAND_GAP, clock));
    }

    /** @return messages handled at once */
    public int concurrency() { return concurrency; }

    /** @return where claim-checked payloads are stored, if {@value #SLUICE_PAYLOAD_STORE} is set */
    public Optional<PayloadLocation> payloadStore() { return Optional.ofNullable(payloadStore); }

    /** @return whether a stored payload is deleted once its message succeeded */
    public boolean deletePayloadsAfterSuccess() { return deletePayloadsAfterSuccess; }

    /** @return what signature verification accepts beyond a matching MAC: maximum age, clock skew, body-only */
    public SignaturePolicy signaturePolicy() { return signaturePolicy; }

    /** @return largest inflated payload in bytes */
    public int maxPayloadBytes() { return maxPayloadBytes; }

    /** @return no message starts with less invocation time left */
    public Duration safetyMargin() { return safetyMargin; }

    /** @return consecutive retryable failures that open the circuit breaker; 0 when it is off */
    public int circuitBreakerThreshold() { return circuitBreakerThreshold; }

    /** @return how long the circuit breaker stays open before one probe runs */
    public Duration circuitOpenDelay() { return circuitOpenDelay; }

    @Override
    public String toString() {
        // never the signing keys' secrets
        return "SluiceConfig[queue=" + queueName + ", dlq=" + dlqName + ", maxAttempts=" + maxAttempts
                + ", backoff=" + retryBackoff + ".." + retryBackoffMax + ", table=" + idempotencyTable
                + ", container=" + idempotencyContainer + ", ttl=" + idempotencyTtl + ", signing="
                + (signingKeysSecret != null ? signingKeysSecret : signingKeys == null ? "off" : signingKeys.keyIds()) + "]";
    }

    /** Collects values by variable name; typed setters are overrides with the highest precedence. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>(Settings.DEFAULTS);

        private Builder() {}

        Builder set(String name, @Nullable String value) {
            if (value != null) {
                values.put(name, value);
            }
            return this;
        }

        /** @param queueName {@value #QUEUE_NAME} @return this */
        public Builder queueName(String queueName) { return set(QUEUE_NAME, queueName); }

        /** @param dlqName {@value #QUEUE_DLQ_NAME} @return this */
        public Builder dlqName(String dlqName) { return set(QUEUE_DLQ_NAME, dlqName); }

        /** @param maxAttempts {@value #QUEUE_MAX_RETRY_ATTEMPTS} @return this */
        public Builder maxAttempts(int maxAttempts) { return set(QUEUE_MAX_RETRY_ATTEMPTS, Integer.toString(maxAttempts)); }

        /** @param base {@value #QUEUE_RETRY_BACKOFF_MS} @return this */
        public Builder retryBackoff(Duration base) { return set(QUEUE_RETRY_BACKOFF_MS, Long.toString(base.toMillis())); }

        /** @param cap {@value #QUEUE_RETRY_BACKOFF_MAX_MS} @return this */
        public Builder retryBackoffMax(Duration cap) { return set(QUEUE_RETRY_BACKOFF_MAX_MS, Long.toString(cap.toMillis())); }

        /** @param timeout {@value #QUEUE_VISIBILITY_TIMEOUT_SECONDS} @return this */
        public Builder visibilityTimeout(Duration timeout) {
            return set(QUEUE_VISIBILITY_TIMEOUT_SECONDS, Long.toString(timeout.toSeconds()));
        }

        /** @param table {@value #IDEMPOTENCY_TABLE} @return this */
        public Builder idempotencyTable(String table) { return set(IDEMPOTENCY_TABLE, table); }

        /** @param container {@value #IDEMPOTENCY_CONTAINER} @return this */
        public Builder idempotencyContainer(String container) { return set(IDEMPOTENCY_CONTAINER, container); }

        /** @param ttl {@value #IDEMPOTENCY_TTL_SECONDS} @return this */
        public Builder idempotencyTtl(Duration ttl) { return set(IDEMPOTENCY_TTL_SECONDS, Long.toString(ttl.toSeconds())); }

        /** @param lease {@value #SLUICE_IDEMPOTENCY_LEASE_SECONDS} @return this */
        public Builder idempotencyLease(Duration lease) {
            return set(SLUICE_IDEMPOTENCY_LEASE_SECONDS, Long.toString(lease.toSeconds()));
        }

        /** @param pointer {@value #SLUICE_IDEMPOTENCY_KEY_POINTER} @return this */
        public Builder idempotencyKeyPointer(String pointer) { return set(SLUICE_IDEMPOTENCY_KEY_POINTER, pointer); }

        /** @param spec {@value #SLUICE_SIGNING_KEYS} @return this */
        public Builder signingKeys(String spec) { return set(SLUICE_SIGNING_KEYS, spec); }

        /** @param refresh {@value #SLUICE_SIGNING_KEYS_REFRESH_SECONDS} @return this */
        public Builder signingKeysRefresh(Duration refresh) {
            return set(SLUICE_SIGNING_KEYS_REFRESH_SECONDS, Long.toString(refresh.toSeconds()));
        }

        /** @param location {@value #SLUICE_PAYLOAD_STORE} @return this */
        public Builder payloadStore(String location) { return set(SLUICE_PAYLOAD_STORE, location); }

        /** @param delete {@value #SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS} @return this */
        public Builder deletePayloadsAfterSuccess(boolean delete) {
            return set(SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS, Boolean.toString(delete));
        }

        /** @param maxAge {@value #SLUICE_SIGNATURE_MAX_AGE_SECONDS} @return this */
        public Builder signatureMaxAge(Duration maxAge) { return set(SLUICE_SIGNATURE_MAX_AGE_SECONDS, Long.toString(maxAge.toSeconds())); }

        /** @param accept {@value #SLUICE_SIGNATURE_ACCEPT_BODY_ONLY} @return this */
        public Builder acceptBodyOnlySignatures(boolean accept) { return set(SLUICE_SIGNATURE_ACCEPT_BODY_ONLY, Boolean.toString(accept)); }

        /** @param concurrency {@value #SLUICE_CONCURRENCY} @return this */
        public Builder concurrency(int concurrency) { return set(SLUICE_CONCURRENCY, Integer.toString(concurrency)); }

        /** @param bytes {@value #SLUICE_MAX_PAYLOAD_BYTES} @return this */
        public Builder maxPayloadBytes(int bytes) { return set(SLUICE_MAX_PAYLOAD_BYTES, Integer.toString(bytes)); }

        /** @param margin {@value #SLUICE_SAFETY_MARGIN_MS} @return this */
        public Builder safetyMargin(Duration margin) { return set(SLUICE_SAFETY_MARGIN_MS, Long.toString(margin.toMillis())); }

        /** @param threshold {@value #SLUICE_CIRCUIT_BREAKER_THRESHOLD} (0 turns the breaker off) @return this */
        public Builder circuitBreakerThreshold(int threshold) {
            return set(SLUICE_CIRCUIT_BREAKER_THRESHOLD, Integer.toString(threshold));
        }

        /** @param delay {@value #SLUICE_CIRCUIT_OPEN_MS} @return this */
        public Builder circuitOpenDelay(Duration delay) { return set(SLUICE_CIRCUIT_OPEN_MS, Long.toString(delay.toMillis())); }

        /** @return the configuration @throws ConfigurationException naming the first bad variable */
        public SluiceConfig build() {
            return new SluiceConfig(new Settings(values));
        }
    }
}
