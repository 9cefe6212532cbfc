package dev.sluice.core.security;

import dev.sluice.core.config.ConfigurationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing keys read from a secret store: the secret holds the same {@code id:base64secret,...} spec as the inline
 * setting. It is read once at start (a failure there fails start-up, naming the setting), then again when
 * {@code refreshInterval} has passed since the last read, and on demand when a message names an unknown key id, at
 * most once per {@code onDemandGap}. A failed re-read keeps the last good keys, logs a warning and is tried again
 * after {@code onDemandGap}; no secret is ever logged, only key ids. A re-read happens on the thread that asks for the
 * keys (the message that finds them due waits for it); the others keep using the current keys until it is done, except
 * those that met an unknown key id, which wait for it.
 */
public final class RefreshingSigningKeys implements SigningKeySource {
    /** How often the store is re-read by default: 5 minutes. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    /** The least time between two reads caused by unknown key ids (or after a failed read): 30 seconds. */
    public static final Duration DEFAULT_ON_DEMAND_GAP = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(RefreshingSigningKeys.class);

    private final Supplier<String> fetch;
    private final String setting;
    private final String description;
    private final Duration refreshInterval;
    private final Duration onDemandGap;
    private final Clock clock;
    private volatile SigningKeys keys;
    private final ReentrantLock lock = new ReentrantLock();
    private Instant lastRead; // guarded by lock
    private volatile Instant nextScheduledRead; // written under lock; read without it on the hot path

    private RefreshingSigningKeys(Supplier<String> fetch, String setting, String description, Duration refreshInterval,
                                  Duration onDemandGap, Clock clock) {
        this.fetch = fetch;
        this.setting = setting;
        this.description = description;
        this.refreshInterval = refreshInterval;
        this.onDemandGap = onDemandGap;
        this.clock = clock;
        Instant now = clock.instant();
        try {
            this.keys = fetchKeys();
        } catch (RuntimeException e) {
            throw new ConfigurationException(setting, "could not read the signing keys from " + description + ": "
                    + describe(e));
        }
        this.lastRead = now;
        this.nextScheduledRead = now.plus(refreshInterval);
    }

    /**
     * Reads the keys once and returns the source.
     *
     * @param fetch reads the secret's value, the {@code id:base64secret,...} spec
     * @param setting the variable to name in errors (e.g. {@code SLUICE_SIGNING_KEYS})
     * @param description where the keys come from, for messages (a secret's name, never its value)
     * @param refreshInterval how often the store is re-read
     * @param onDemandGap the least time between reads caused by unknown key ids
     * @param clock the time
     * @return the source
     * @throws ConfigurationException naming {@code setting} when the first read fails
     */
    public static RefreshingSigningKeys start(Supplier<String> fetch, String setting, String description,
                                              Duration refreshInterval, Duration onDemandGap, Clock clock) {
        Objects.requireNonNull(fetch, "fetch");
        Objects.requireNonNull(clock, "clock");
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval must be positive, got " + refreshInterval);
        }
        if (onDemandGap.isNegative()) {
            throw new IllegalArgumentException("onDemandGap must not be negative, got " + onDemandGap);
        }
        return new RefreshingSigningKeys(fetch, Objects.requireNonNull(setting, "setting"),
                Objects.requireNonNull(description, "description"), refreshInterval, onDemandGap, clock);
    }

    /**
     * @param fetch reads the secret's value
     * @param setting the variable to name in errors
     * @param description where the keys come from
     * @param refreshInterval how often the store is re-read
     * @return a source with the default on-demand gap and the system clock
     */
    public static RefreshingSigningKeys start(Supplier<String> fetch, String setting, String description,
                                              Duration refreshInterval) {
        return start(fetch, setting, description, refreshInterval, DEFAULT_ON_DEMAND_GAP, Clock.systemUTC());
    }

    @Override
    public SigningKeys current() {
        SigningKeys now = keys;
        // a due refresh is done by one thread; the others go on with the current keys meanwhile
        if (!clock.instant().isBefore(nextScheduledRead) && lock.tryLock()) {
            try {
                if (!clock.instant().isBefore(nextScheduledRead)) {
                    read("refresh");
                }
                return keys;
            } finally {
                lock.unlock();
            }
        }
        return now;
    }

    @Override
    public SigningKeys currentFor(String keyId) {
        SigningKeys before = current();
        if (before.keyIds().contains(keyId)) {
            return before;
        }
        lock.lock();
        try {
            if (!clock.instant().isBefore(lastRead.plus(onDemandGap))) {
                read("unknown key id");
            }
            return keys;
        } finally {
            lock.unlock();
        }
    }

    // holds the lock
    private void read(String why) {
        Instant now = clock.instant();
        lastRead = now;
        try {
            SigningKeys read = fetchKeys();
            if (!read.keyIds().equals(keys.keyIds()) || !read.activeKeyId().equals(keys.activeKeyId())) {
                LOG.info("Signing keys from {} changed ({}): active {}, ids {}", description, why, read.activeKeyId(),
                        read.keyIds());
            }
            keys = read;
            nextScheduledRead = now.plus(refreshInterval);
        } catch (RuntimeException e) {
            // keep the last good keys; try again after the on-demand gap, not at every message
            Duration retry = onDemandGap.compareTo(refreshInterval) < 0 ? onDemandGap : refreshInterval;
            nextScheduledRead = now.plus(retry.isZero() ? refreshInterval : retry);
            LOG.warn("Could not re-read the signing keys of {} from {} ({}); keeping keys {}: {}", setting, description,
                    why, keys.keyIds(), describe(e));
        }
    }

    private SigningKeys fetchKeys() {
        String spec = fetch.get();
        if (spec == null || spec.isBlank()) {
            throw new IllegalStateException("the secret has no value");
        }
        // errors name the secret, never its value
        return SigningKeys.parse(spec, description);
    }

    private static String describe(RuntimeException e) {
        // exception text from the store or the parser names key ids and secret names, never secret values
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public String toString() {
        return "RefreshingSigningKeys[" + description + ", every " + refreshInterval + ", " + keys + "]";
    }
}
