package dev.sluice.core.config;

import static dev.sluice.core.config.SluiceConfig.*;

import dev.sluice.core.security.SignaturePolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The raw settings by variable name, and the checks that turn them into typed values. Every failure is a
 * {@link ConfigurationException} naming the variable.
 */
final class Settings {
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(QUEUE_MAX_RETRY_ATTEMPTS, "3"),
            Map.entry(QUEUE_RETRY_BACKOFF_MS, "1000"),
            Map.entry(QUEUE_RETRY_BACKOFF_MAX_MS, "300000"),
            Map.entry(QUEUE_VISIBILITY_TIMEOUT_SECONDS, "30"),
            Map.entry(IDEMPOTENCY_TTL_SECONDS, "1814400"),
            Map.entry(SLUICE_IDEMPOTENCY_LEASE_SECONDS, "300"),
            Map.entry(SLUICE_CONCURRENCY, "16"),
            Map.entry(SLUICE_MAX_PAYLOAD_BYTES, "4194304"),
            Map.entry(SLUICE_SAFETY_MARGIN_MS, "2000"),
            Map.entry(SLUICE_CIRCUIT_BREAKER_THRESHOLD, "5"),
            Map.entry(SLUICE_CIRCUIT_OPEN_MS, "30000"),
            Map.entry(SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS, "300"),
            Map.entry(SLUICE_SIGNING_KEYS_REFRESH_SECONDS, "300"),
            Map.entry(SLUICE_SIGNATURE_ACCEPT_BODY_ONLY, "false"),
            Map.entry(SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS, "true"));

    static boolean isKnown(String name) {
        return DEFAULTS.containsKey(name) || switch (name) {
            case QUEUE_NAME, QUEUE_DLQ_NAME, IDEMPOTENCY_TABLE, IDEMPOTENCY_CONTAINER, SLUICE_IDEMPOTENCY_KEY_POINTER,
                 SLUICE_SIGNING_KEYS, SLUICE_SIGNATURE_MAX_AGE_SECONDS, SLUICE_PAYLOAD_STORE -> true;
            default -> false;
        };
    }

    private final Map<String, String> values;

    Settings(Map<String, String> values) {
        this.values = values;
    }

    String required(String name) {
        String value = optional(name);
        if (value == null) {
            throw new ConfigurationException(name, "is required but not set");
        }
        return value;
    }

    @Nullable String optional(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    long wholeNumber(String name, long min, long max) {
        // set but blank (e.g. "QUEUE_MAX_RETRY_ATTEMPTS=" in a template) is a bad value, not "use the default"
        String value = Objects.requireNonNullElse(optional(name), "");
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "expected a whole number between " + min + " and " + max + ", got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigurationException(name, "expected a whole number between " + min + " and " + max + ", got " + parsed);
        }
        return parsed;
    }

    boolean flag(String name) {
        String value = Objects.requireNonNullElse(optional(name), "");
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException(name, "expected true or false, got '" + value + "'");
        };
    }

    /**
     * The signature policy: a maximum age above the TTL less the clock skew is refused, since a replay
     * accepted after its idempotency record expired would be applied again.
     */
    SignaturePolicy signaturePolicy(Duration ttl, boolean signing) {
        Duration skew = Duration.ofSeconds(wholeNumber(SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS, 0, 3_600));
        Duration limit = ttl.minus(skew);
        Duration maxAge = optional(SLUICE_SIGNATURE_MAX_AGE_SECONDS) == null ? limit
                : Duration.ofSeconds(wholeNumber(SLUICE_SIGNATURE_MAX_AGE_SECONDS, 1, 315_360_000));
        // checked only when keys are configured: without them nothing is verified
        if (signing && !limit.isPositive()) {
            throw new ConfigurationException(SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS,
                    "must be below " + IDEMPOTENCY_TTL_SECONDS + " (" + ttl.toSeconds() + ")");
        }
        if (signing && maxAge.compareTo(limit) > 0) {
            throw new ConfigurationException(SLUICE_SIGNATURE_MAX_AGE_SECONDS, "must be at most " + IDEMPOTENCY_TTL_SECONDS
                    + " (" + ttl.toSeconds() + ") minus " + SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS + " (" + skew.toSeconds()
                    + ") = " + limit.toSeconds() + ", got " + maxAge.toSeconds()
                    + ": a replay accepted after its idempotency record expired would be applied again");
        }
        return new SignaturePolicy(maxAge.isPositive() ? maxAge : ttl, skew, flag(SLUICE_SIGNATURE_ACCEPT_BODY_ONLY));
    }

    /**
     * @param path the file {@code SLUICE_CONFIG_FILE} names, or null for {@code sluice.properties} at the
     *     class path's root
     * @return its properties, or null when there is no such resource
     */
    static @Nullable Properties loadProperties(@Nullable String path) {
        Properties properties = new Properties();
        try {
            if (path != null && !path.isBlank()) {
                try (Reader reader = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
                return properties;
            }
            try (InputStream in = Settings.class.getClassLoader().getResourceAsStream("sluice.properties")) {
                if (in == null) {
                    return null;
                }
                properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                return properties;
            }
        } catch (IOException e) {
            throw new ConfigurationException(SLUICE_CONFIG_FILE, "cannot read '" + path + "': " + e.getMessage());
        }
    }
}
