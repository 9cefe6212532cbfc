package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.core.security.SigningKeys;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SluiceConfigTest {
    private static final String SECRET_1 = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    private static final String SECRET_2 = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());

    @Test
    void build_shouldApplyDocumentedDefaults_whenOnlyQueueNameIsSet() {
        // WHEN only the required queue name is given
        SluiceConfig config = SluiceConfig.builder().queueName("orders").build();

        // THEN every other setting has its documented default
        assertThat(config.queueName()).isEqualTo("orders");
        assertThat(config.maxAttempts()).isEqualTo(3);
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(1000));
        assertThat(config.retryBackoffMax()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.visibilityTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.idempotencyTtl()).isEqualTo(Duration.ofDays(21));
        assertThat(config.idempotencyLease()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.concurrency()).isEqualTo(16);
        assertThat(config.maxPayloadBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.safetyMargin()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.circuitBreakerThreshold()).isEqualTo(5);
        assertThat(config.circuitOpenDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.dlqName()).isEmpty();
        assertThat(config.idempotencyTable()).isEmpty();
        assertThat(config.idempotencyContainer()).isEmpty();
        assertThat(config.idempotencyKeyPointer()).isEmpty();
        assertThat(config.signingKeys()).isEmpty();
    }

    @Test
    void from_shouldReadEveryVariable_fromTheEnvironment() {
        // GIVEN an environment that sets every variable
        Map<String, String> env = new HashMap<>();
        env.put(SluiceConfig.QUEUE_NAME, "orders");
        env.put(SluiceConfig.QUEUE_DLQ_NAME, "orders-dlq");
        env.put(SluiceConfig.QUEUE_MAX_RETRY_ATTEMPTS, "5");
        env.put(SluiceConfig.QUEUE_RETRY_BACKOFF_MS, "250");
        env.put(SluiceConfig.QUEUE_RETRY_BACKOFF_MAX_MS, "60000");
        env.put(SluiceConfig.QUEUE_VISIBILITY_TIMEOUT_SECONDS, "180");
        env.put(SluiceConfig.IDEMPOTENCY_TABLE, "orders-idempotency");
        env.put(SluiceConfig.IDEMPOTENCY_CONTAINER, "idempotency");
        env.put(SluiceConfig.IDEMPOTENCY_TTL_SECONDS, "86400");
        env.put(SluiceConfig.SLUICE_IDEMPOTENCY_LEASE_SECONDS, "120");
        env.put(SluiceConfig.SLUICE_IDEMPOTENCY_KEY_POINTER, "/orderId");
        env.put(SluiceConfig.SLUICE_SIGNING_KEYS, "k2:" + SECRET_2 + ",k1:" + SECRET_1);
        env.put(SluiceConfig.SLUICE_CONCURRENCY, "8");
        env.put(SluiceConfig.SLUICE_MAX_PAYLOAD_BYTES, "1048576");
        env.put(SluiceConfig.SLUICE_SAFETY_MARGIN_MS, "5000");

        // WHEN loaded
        SluiceConfig config = SluiceConfig.from(env, null).build();

        // THEN each value arrives typed
        assertThat(config.dlqName()).contains("orders-dlq");
        assertThat(config.maxAttempts()).isEqualTo(5);
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.retryBackoffMax()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.visibilityTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(config.idempotencyTable()).contains("orders-idempotency");
        assertThat(config.idempotencyContainer()).contains("idempotency");
        assertThat(config.idempotencyTtl()).isEqualTo(Duration.ofDays(1));
        assertThat(config.idempotencyLease()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.idempotencyKeyPointer()).contains("/orderId");
        assertThat(config.signingKeys()).hasValueSatisfying(keys -> {
            assertThat(keys.activeKeyId()).isEqualTo("k2");
            assertThat(keys.keyIds()).containsExactlyInAnyOrder("k1", "k2");
        });
        assertThat(config.concurrency()).isEqualTo(8);
        assertThat(config.maxPayloadBytes()).isEqualTo(1_048_576);
        assertThat(config.safetyMargin()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void precedence_shouldBe_defaultsThenFileThenEnvironmentThenBuilder() {
        // GIVEN the same variable in the properties file, the environment and the builder
        Properties file = properties(SluiceConfig.QUEUE_NAME, "from-file", SluiceConfig.QUEUE_MAX_RETRY_ATTEMPTS, "5");
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_MAX_RETRY_ATTEMPTS, "7");

        // WHEN each layer is added in turn
        int fromDefaults = SluiceConfig.from(Map.of(), properties(SluiceConfig.QUEUE_NAME, "q")).build().maxAttempts();
        int fromFile = SluiceConfig.from(Map.of(), file).build().maxAttempts();
        int fromEnv = SluiceConfig.from(env, file).build().maxAttempts();
        SluiceConfig fromBuilder = SluiceConfig.from(env, file).maxAttempts(9).build();

        // THEN the stronger source wins and the weaker ones fill the gaps
        assertThat(fromDefaults).isEqualTo(3);
        assertThat(fromFile).isEqualTo(5);
        assertThat(fromEnv).isEqualTo(7);
        assertThat(fromBuilder.maxAttempts()).isEqualTo(9);
        assertThat(fromBuilder.queueName()).isEqualTo("from-file");
    }

    @Test
    void environment_shouldOverrideFile_forTextSettingsToo() {
        // GIVEN a queue name in the file and in the environment
        Properties file = properties(SluiceConfig.QUEUE_NAME, "from-file", SluiceConfig.IDEMPOTENCY_TABLE, "file-table");
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "from-env");

        // WHEN loaded
        SluiceConfig config = SluiceConfig.from(env, file).build();

        // THEN the environment wins where it speaks, the file elsewhere
        assertThat(config.queueName()).isEqualTo("from-env");
        assertThat(config.idempotencyTable()).contains("file-table");
    }

    @Test
    void builder_shouldOverrideEnvironment_forEveryTypedSetter() {
        // GIVEN an environment with values for everything the builder can set
        Map<String, String> env = new HashMap<>();
        env.put(SluiceConfig.QUEUE_NAME, "env-queue");
        env.put(SluiceConfig.QUEUE_RETRY_BACKOFF_MS, "100");
        env.put(SluiceConfig.QUEUE_RETRY_BACKOFF_MAX_MS, "200");
        env.put(SluiceConfig.SLUICE_CONCURRENCY, "2");

        // WHEN the builder overrides them
        SluiceConfig config = SluiceConfig.from(env, null)
                .queueName("builder-queue")
                .dlqName("builder-dlq")
                .retryBackoff(Duration.ofMillis(500))
                .retryBackoffMax(Duration.ofSeconds(10))
                .visibilityTimeout(Duration.ofSeconds(90))
                .idempotencyTable("table")
                .idempotencyContainer("container")
                .idempotencyTtl(Duration.ofHours(2))
                .idempotencyLease(Duration.ofSeconds(45))
                .idempotencyKeyPointer("/id")
                .signingKeys("k1:" + SECRET_1)
                .concurrency(4)
                .maxPayloadBytes(2048)
                .safetyMargin(Duration.ofMillis(1500))
                .build();

        // THEN the builder's values are the ones used
        assertThat(config.queueName()).isEqualTo("builder-queue");
        assertThat(config.dlqName()).contains("builder-dlq");
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.retryBackoffMax()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.visibilityTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.idempotencyTable()).contains("table");
        assertThat(config.idempotencyContainer()).contains("container");
        assertThat(config.idempotencyTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(config.idempotencyLease()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.idempotencyKeyPointer()).contains("/id");
        assertThat(config.signingKeys()).map(SigningKeys::activeKeyId).contains("k1");
        assertThat(config.concurrency()).isEqualTo(4);
        assertThat(config.maxPayloadBytes()).isEqualTo(2048);
        assertThat(config.safetyMargin()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void from_shouldIgnoreUnrelatedEnvironmentVariables() {
        // GIVEN an environment full of unrelated variables
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders", "PATH", "/usr/bin", "JAVA_TOOL_OPTIONS", "-Xmx1g",
                "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

        // WHEN loaded
        SluiceConfig config = SluiceConfig.from(env, null).build();

        // THEN they neither fail the build nor show up
        assertThat(config.queueName()).isEqualTo("orders");
        assertThat(config.toString()).doesNotContain("wJalr").doesNotContain("/usr/bin");
    }

    @Test
    void from_shouldTrimValues() {
        // WHEN values carry stray whitespace (common in .env files and YAML)
        SluiceConfig config = SluiceConfig.from(
                Map.of(SluiceConfig.QUEUE_NAME, "  orders ", SluiceConfig.QUEUE_MAX_RETRY_ATTEMPTS, " 4 "), null).build();

        // THEN they are read as meant
        assertThat(config.queueName()).isEqualTo("orders");
        assertThat(config.maxAttempts()).isEqualTo(4);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = ';', value = {
            "QUEUE_MAX_RETRY_ATTEMPTS; three",
            "QUEUE_MAX_RETRY_ATTEMPTS; 2.5",
            "QUEUE_MAX_RETRY_ATTEMPTS; 0x10",
            "QUEUE_MAX_RETRY_ATTEMPTS; 99999999999999999999",
            "QUEUE_RETRY_BACKOFF_MS; 1s",
            "QUEUE_RETRY_BACKOFF_MAX_MS; 5m",
            "QUEUE_VISIBILITY_TIMEOUT_SECONDS; thirty",
            "IDEMPOTENCY_TTL_SECONDS; 21d",
            "SLUICE_IDEMPOTENCY_LEASE_SECONDS; 1e3",
            "SLUICE_CONCURRENCY; max",
            "SLUICE_MAX_PAYLOAD_BYTES; 4MB",
            "SLUICE_SAFETY_MARGIN_MS; -",
            "SLUICE_CIRCUIT_BREAKER_THRESHOLD; off",
            "SLUICE_CIRCUIT_OPEN_MS; 30s",
    })
    void build_shouldRejectGarbage_namingTheVariable(String variable, String value) {
        // GIVEN a numeric variable holding something that is not a whole number
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders", variable, value);

        // WHEN built
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> SluiceConfig.from(env, null).build());

        // THEN start-up fails naming the variable and the bad value
        assertThat(e).isNotNull();
        assertThat(e.setting()).isEqualTo(variable);
        assertThat(e.getMessage()).startsWith(variable + ":").contains("'" + value + "'");
    }

    @Test
    void circuitBreakerSettings_shouldComeFromTheEnvironment_andTheBuilderOverrides() {
        // GIVEN the breaker's variables in the environment
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders",
                SluiceConfig.SLUICE_CIRCUIT_BREAKER_THRESHOLD, "0", SluiceConfig.SLUICE_CIRCUIT_OPEN_MS, "90000");

        // WHEN loaded, and loaded again with a typed override
        SluiceConfig fromEnv = SluiceConfig.from(env, null).build();
        SluiceConfig overridden = SluiceConfig.from(env, null).circuitBreakerThreshold(8)
                .circuitOpenDelay(Duration.ofSeconds(10)).build();

        // THEN 0 turns the breaker off, and builder calls win
        assertThat(fromEnv.circuitBreakerThreshold()).isZero();
        assertThat(fromEnv.circuitOpenDelay()).isEqualTo(Duration.ofSeconds(90));
        assertThat(overridden.circuitBreakerThreshold()).isEqualTo(8);
        assertThat(overridden.circuitOpenDelay()).isEqualTo(Duration.ofSeconds(10));
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = ';', value = {
            "QUEUE_MAX_RETRY_ATTEMPTS; ''",
            "QUEUE_RETRY_BACKOFF_MS; '   '",
            "SLUICE_CONCURRENCY; ''",
    })
    void build_shouldRejectBlankNumbers_namingTheVariable(String variable, String value) {
        // Regression: a numeric variable set to "" (e.g. an unfilled template) crashed with a bare
        // NullPointerException instead of a ConfigurationException.
        // GIVEN a numeric variable that is set but blank
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders", variable, value);

        // WHEN built THEN the failure names the variable
        assertThatThrownBy(() -> SluiceConfig.from(env, null).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo(variable))
                .hasMessageStartingWith(variable + ":");
    }

    @ParameterizedTest(name = "{0} accepts {1}..{2}")
    @CsvSource({
            "QUEUE_MAX_RETRY_ATTEMPTS, 1, 1000",
            "QUEUE_RETRY_BACKOFF_MS, 0, 43200000",
            "QUEUE_RETRY_BACKOFF_MAX_MS, 0, 43200000",
            "QUEUE_VISIBILITY_TIMEOUT_SECONDS, 1, 43200",
            "IDEMPOTENCY_TTL_SECONDS, 60, 315360000",
            "SLUICE_IDEMPOTENCY_LEASE_SECONDS, 1, 43200",
            "SLUICE_CONCURRENCY, 1, 1024",
            "SLUICE_MAX_PAYLOAD_BYTES, 1024, 268435456",
            "SLUICE_SAFETY_MARGIN_MS, 0, 600000",
            "SLUICE_CIRCUIT_BREAKER_THRESHOLD, 0, 10000",
            "SLUICE_CIRCUIT_OPEN_MS, 1, 43200000",
    })
    void build_shouldAcceptTheBounds_andRejectOneBeyond(String variable, long min, long max) {
        // GIVEN each bound and the value just past it
        // WHEN built THEN the bounds pass and one beyond fails, naming the variable and the range
        assertThat(buildWith(variable, min)).isNull();
        assertThat(buildWith(variable, max)).isNull();
        for (long outside : new long[] {min - 1, max + 1}) {
            ConfigurationException e = buildWith(variable, outside);
            assertThat(e).as("%s=%d", variable, outside).isNotNull();
            assertThat(e.setting()).isEqualTo(variable);
            assertThat(e.getMessage()).startsWith(variable + ":").contains(min + " and " + max).contains(Long.toString(outside));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void build_shouldFailNamingQueueName_whenItIsMissingOrBlank(String blank) {
        // GIVEN no usable queue name
        Map<String, String> env = blank.isEmpty() ? Map.of() : Map.of(SluiceConfig.QUEUE_NAME, blank);

        // WHEN built THEN the error names QUEUE_NAME
        assertThatThrownBy(() -> SluiceConfig.from(env, null).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.QUEUE_NAME))
                .hasMessageContaining("QUEUE_NAME");
    }

    @Test
    void build_shouldFail_whenBackoffMaxIsBelowBase() {
        // GIVEN a cap below the base
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders",
                SluiceConfig.QUEUE_RETRY_BACKOFF_MS, "5000", SluiceConfig.QUEUE_RETRY_BACKOFF_MAX_MS, "1000");

        // WHEN built THEN the error names the cap and the base it conflicts with
        assertThatThrownBy(() -> SluiceConfig.from(env, null).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.QUEUE_RETRY_BACKOFF_MAX_MS))
                .hasMessageContaining("QUEUE_RETRY_BACKOFF_MAX_MS")
                .hasMessageContaining("QUEUE_RETRY_BACKOFF_MS");
    }

    @Test
    void build_shouldAccept_backoffMaxEqualToBase() {
        SluiceConfig config = SluiceConfig.builder().queueName("orders")
                .retryBackoff(Duration.ofSeconds(2)).retryBackoffMax(Duration.ofSeconds(2)).build();

        assertThat(config.retryBackoffMax()).isEqualTo(config.retryBackoff());
    }

    @Test
    void build_shouldFail_whenTtlIsShorterThanTheLease() {
        // GIVEN a record that would expire while its lease still runs
        SluiceConfig.Builder builder = SluiceConfig.builder().queueName("orders")
                .idempotencyTtl(Duration.ofMinutes(2)).idempotencyLease(Duration.ofMinutes(5));

        // WHEN built THEN the error names the TTL and the lease
        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.IDEMPOTENCY_TTL_SECONDS))
                .hasMessageContaining("SLUICE_IDEMPOTENCY_LEASE_SECONDS");
    }

    @Test
    void build_shouldFail_whenKeyPointerIsNotAJsonPointer() {
        assertThatThrownBy(() -> SluiceConfig.builder().queueName("orders").idempotencyKeyPointer("orderId").build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.SLUICE_IDEMPOTENCY_KEY_POINTER))
                .hasMessageContaining("JSON Pointer");
    }

    @Test
    void builder_shouldNameTheVariable_whenATypedSetterGetsAnOutOfRangeValue() {
        assertThatThrownBy(() -> SluiceConfig.builder().queueName("orders").maxAttempts(0).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.QUEUE_MAX_RETRY_ATTEMPTS));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            // a bare secret, no key id
            "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
            // key id without secret
            "k1:",
            // secret without key id
            ":c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
            // not base64
            "k1:s3cr3t!pa$$word-that-is-long-enough-32",
            // too short: 12 bytes
            "k1:c2hvcnQtc2VjcmV0",
            // only separators
            " , ,",
            // one good key, one broken
            "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k2:hunter2hunter2*",
    })
    void build_shouldRejectMalformedSigningKeys_withoutPrintingTheSecret(String spec) {
        // GIVEN a malformed SLUICE_SIGNING_KEYS
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders", SluiceConfig.SLUICE_SIGNING_KEYS, spec);

        // WHEN built
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> SluiceConfig.from(env, null).build());

        // THEN the error names the variable and shows no secret material
        assertThat(e).isNotNull();
        assertThat(e.setting()).isEqualTo(SluiceConfig.SLUICE_SIGNING_KEYS);
        assertThat(e.getMessage()).startsWith("SLUICE_SIGNING_KEYS:");
        for (String entry : spec.split(",")) {
            String secret = entry.substring(entry.indexOf(':') + 1).trim();
            if (secret.length() >= 4) {
                assertThat(e.getMessage()).doesNotContain(secret);
                assertThat(String.valueOf(e.getCause())).doesNotContain(secret);
            }
        }
    }

    @Test
    void toString_shouldShowKeyIds_butNeverTheSecrets() {
        // GIVEN a configuration with signing keys
        SluiceConfig config = SluiceConfig.builder().queueName("orders")
                .signingKeys("current:" + SECRET_2 + ",previous:" + SECRET_1).build();

        // WHEN printed (e.g. in a start-up log line)
        String text = config.toString();

        // THEN the key ids are there for diagnosis, the secrets are not
        assertThat(text).contains("orders").contains("current").contains("previous");
        assertThat(text).doesNotContain(SECRET_1).doesNotContain(SECRET_2)
                .doesNotContain("0123456789abcdef").doesNotContain("fedcba9876543210");
        assertThat(config.signingKeys().orElseThrow().toString()).doesNotContain(SECRET_1).doesNotContain("0123456789abcdef");
    }

    @Test
    void signaturePolicy_defaultsToTheTtlLessTheClockSkew_andRefusesBodyOnly() {
        // GIVEN signing keys and a TTL of one day, nothing else about signatures
        SluiceConfig config = SluiceConfig.builder().queueName("orders").signingKeys("k1:" + SECRET_1)
                .idempotencyTtl(Duration.ofDays(1)).build();

        // THEN a replay is accepted only while its record can still exist
        assertThat(config.signaturePolicy()).isEqualTo(new dev.sluice.core.security.SignaturePolicy(
                Duration.ofDays(1).minusMinutes(5), Duration.ofMinutes(5), false));
    }

    @Test
    void signatureMaxAge_longerThanTheTtlLessTheSkew_failsAtStart_namingTheVariable() {
        // GIVEN a maximum age that lets a replay outlive its idempotency record
        Map<String, String> env = Map.of(SluiceConfig.QUEUE_NAME, "orders", SluiceConfig.SLUICE_SIGNING_KEYS, "k1:" + SECRET_1,
                SluiceConfig.IDEMPOTENCY_TTL_SECONDS, "86400", SluiceConfig.SLUICE_SIGNATURE_MAX_AGE_SECONDS, "86101");

        // WHEN built THEN start-up fails naming the variable and the limit
        assertThatThrownBy(() -> SluiceConfig.from(env, null).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.SLUICE_SIGNATURE_MAX_AGE_SECONDS))
                .hasMessageContaining("86100").hasMessageContaining("applied again");
        assertThat(SluiceConfig.from(Map.of(SluiceConfig.QUEUE_NAME, "orders", SluiceConfig.SLUICE_SIGNING_KEYS, "k1:" + SECRET_1,
                SluiceConfig.IDEMPOTENCY_TTL_SECONDS, "86400", SluiceConfig.SLUICE_SIGNATURE_MAX_AGE_SECONDS, "86100"), null)
                .build().signaturePolicy().maxAge()).isEqualTo(Duration.ofSeconds(86100));
    }

    @Test
    void acceptBodyOnly_takesTrueOrFalse_andNamesTheVariableOtherwise() {
        Map<String, String> env = new HashMap<>(Map.of(SluiceConfig.QUEUE_NAME, "orders",
                SluiceConfig.SLUICE_SIGNING_KEYS, "k1:" + SECRET_1, SluiceConfig.SLUICE_SIGNATURE_ACCEPT_BODY_ONLY, "TRUE"));
        assertThat(SluiceConfig.from(env, null).build().signaturePolicy().acceptBodyOnly()).isTrue();

        env.put(SluiceConfig.SLUICE_SIGNATURE_ACCEPT_BODY_ONLY, "yes");
        assertThatThrownBy(() -> SluiceConfig.from(env, null).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo(SluiceConfig.SLUICE_SIGNATURE_ACCEPT_BODY_ONLY))
                .hasMessageContaining("'yes'");
    }

    private static ConfigurationException buildWith(String variable, long value) {
        Map<String, String> env = new HashMap<>();
        env.put(SluiceConfig.QUEUE_NAME, "orders");
        // keep the cross-checks (cap >= base, TTL >= lease) out of the way of the variable under test
        if (variable.equals(SluiceConfig.QUEUE_RETRY_BACKOFF_MS)) {
            env.put(SluiceConfig.QUEUE_RETRY_BACKOFF_MAX_MS, "43200000");
        }
        if (variable.equals(SluiceConfig.QUEUE_RETRY_BACKOFF_MAX_MS)) {
            env.put(SluiceConfig.QUEUE_RETRY_BACKOFF_MS, "0");
        }
        if (variable.equals(SluiceConfig.IDEMPOTENCY_TTL_SECONDS)) {
            env.put(SluiceConfig.SLUICE_IDEMPOTENCY_LEASE_SECONDS, "1");
        }
        env.put(variable, Long.toString(value));
        try {
            SluiceConfig.from(env, null).build();
            return null;
        } catch (ConfigurationException e) {
            return e;
        }
    }

    private static Properties properties(String... pairs) {
        Properties properties = new Properties();
        for (int i = 0; i < pairs.length; i += 2) {
            properties.setProperty(pairs[i], pairs[i + 1]);
        }
        return properties;
    }
}
