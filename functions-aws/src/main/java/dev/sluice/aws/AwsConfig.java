package dev.sluice.aws;

import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.spi.LogSink;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * AWS-specific settings, next to the cloud-neutral {@link dev.sluice.core.config.SluiceConfig}. Read once from
 * the environment by {@link #fromEnvironment()}, the only place this module reads environment variables;
 * a bad value fails start-up with a {@link ConfigurationException} naming the variable. Region,
 * credentials and endpoint overrides ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL_SQS},
 * {@code AWS_ENDPOINT_URL_DYNAMODB}, {@code AWS_ENDPOINT_URL_S3} for claim-checked payloads) are left to the AWS SDK,
 * which reads them itself; an S3 endpoint on an IP address, such as a local moto, is served path-style.
 */
public final class AwsConfig {
    /** Set by Lambda; the function part of Powertools-compatible idempotency keys. */
    public static final String AWS_LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME";
    /** {@code GUARD} (default) or {@code TRANSACTIONAL}. */
    public static final String SLUICE_IDEMPOTENCY_MODE = "SLUICE_IDEMPOTENCY_MODE";
    /** {@code sluice} (default) or {@code powertools}: how idempotency record ids are derived. */
    public static final String SLUICE_IDEMPOTENCY_KEY_FORMAT = "SLUICE_IDEMPOTENCY_KEY_FORMAT";
    /** The Powertools handler (method) name in Powertools-compatible keys (default {@code handleRequest}). */
    public static final String SLUICE_POWERTOOLS_HANDLER_NAME = "SLUICE_POWERTOOLS_HANDLER_NAME";
    /** Lowest log level written: {@code DEBUG}, {@code INFO} (default), {@code WARN}, {@code ERROR}. */
    public static final String SLUICE_LOG_LEVEL = "SLUICE_LOG_LEVEL";
    /** CloudWatch namespace of the EMF metrics (default {@code Sluice}). */
    public static final String SLUICE_METRICS_NAMESPACE = "SLUICE_METRICS_NAMESPACE";
    /** {@code true} (default) or {@code false}: prime clients and the handler path before a SnapStart checkpoint. */
    public static final String SLUICE_SNAPSTART_PRIMING = "SLUICE_SNAPSTART_PRIMING";

    /** Powertools' fallback when {@code AWS_LAMBDA_FUNCTION_NAME} is unset. */
    static final String POWERTOOLS_DEFAULT_FUNCTION = "testFunction";

    /** How idempotency record ids are derived from Sluice's idempotency key. */
    public enum KeyFormat {
        /** {@code <queue>#<key>}: readable, the default. */
        SLUICE,
        /**
         * {@code <function name>.<handler name>#<md5 hex of the key>}, exactly as Powertools for AWS Lambda
         * (Java) v1 derives it, so records Powertools wrote are recognised.
         */
        POWERTOOLS
    }

    private final String functionName;
    private final IdempotencyMode idempotencyMode;
    private final KeyFormat keyFormat;
    private final String powertoolsHandlerName;
    private final LogSink.Level logLevel;
    private final String metricsNamespace;
    private final boolean snapStartPriming;

    private AwsConfig(Map<String, String> env) {
        this.functionName = value(env, AWS_LAMBDA_FUNCTION_NAME).orElse(POWERTOOLS_DEFAULT_FUNCTION);
        this.idempotencyMode = parse(env, SLUICE_IDEMPOTENCY_MODE, IdempotencyMode.class, IdempotencyMode.GUARD);
        this.keyFormat = parse(env, SLUICE_IDEMPOTENCY_KEY_FORMAT, KeyFormat.class, KeyFormat.SLUICE);
        this.powertoolsHandlerName = value(env, SLUICE_POWERTOOLS_HANDLER_NAME).orElse("handleRequest");
        this.logLevel = parse(env, SLUICE_LOG_LEVEL, LogSink.Level.class, LogSink.Level.INFO);
        this.metricsNamespace = value(env, SLUICE_METRICS_NAMESPACE).orElse("Sluice");
        String priming = value(env, SLUICE_SNAPSTART_PRIMING).orElse("true").toLowerCase(Locale.ROOT);
        if (!priming.equals("true") && !priming.equals("false")) {
            throw new ConfigurationException(SLUICE_SNAPSTART_PRIMING, "expected true or false, got '" + priming + "'");
        }
        this.snapStartPriming = Boolean.parseBoolean(priming);
    }

    /**
     * Reads the process environment; the only {@code System.getenv} of this module.
     *
     * @return the settings
     * @throws ConfigurationException naming the first bad variable
     */
    public static AwsConfig fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * @param environment variables (e.g. a test's map)
     * @return the settings
     * @throws ConfigurationException naming the first bad variable
     */
    public static AwsConfig from(Map<String, String> environment) {
        return new AwsConfig(Objects.requireNonNull(environment, "environment"));
    }

    /** @return the defaults, ignoring the environment */
    public static AwsConfig defaults() {
        return from(Map.of());
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static <E extends Enum<E>> E parse(Map<String, String> env, String name, Class<E> type, E fallback) {
        @Nullable String raw = value(env, name).orElse(null);
        if (raw == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                allowed.append(allowed.isEmpty() ? "" : ", ").append(constant.name());
            }
            throw new ConfigurationException(name, "expected one of " + allowed + ", got '" + raw + "'");
        }
    }

    /** @return the Lambda function's name ({@code testFunction} outside Lambda, as Powertools does) */
    public String functionName() { return functionName; }

    /** @return the idempotency mode */
    public IdempotencyMode idempotencyMode() { return idempotencyMode; }

    /** @return how idempotency record ids are derived */
    public KeyFormat keyFormat() { return keyFormat; }

    /** @return the Powertools handler name used in Powertools-compatible keys */
    public String powertoolsHandlerName() { return powertoolsHandlerName; }

    /** @return the lowest log level written */
    public LogSink.Level logLevel() { return logLevel; }

    /** @return the EMF namespace */
    public String metricsNamespace() { return metricsNamespace; }

    /** @return whether to prime before a SnapStart checkpoint */
    public boolean snapStartPriming() { return snapStartPriming; }

    @Override
    public String toString() {
        return "AwsConfig[function=" + functionName + ", mode=" + idempotencyMode + ", keys=" + keyFormat
                + ", log=" + logLevel + ", namespace=" + metricsNamespace + ", priming=" + snapStartPriming + "]";
    }
}
