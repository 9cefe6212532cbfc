package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RefreshingSigningKeysTest {
    private static final String SECRET_1 = "k1-secret-k1-secret-k1-secret-k1-secret";
    private static final String SECRET_2 = "k2-secret-k2-secret-k2-secret-k2-secret";
    private static final String K1 = "k1:" + b64(SECRET_1);
    private static final String K2 = "k2:" + b64(SECRET_2);
    private static final Duration INTERVAL = Duration.ofMinutes(5);
    private static final Duration GAP = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicReference<String> secret = new AtomicReference<>(K1);
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Supplier<String> store = () -> {
        reads.incrementAndGet();
        if (failure.get() != null) {
            throw failure.get();
        }
        return secret.get();
    };

    private RefreshingSigningKeys start() {
        return RefreshingSigningKeys.start(store, "SLUICE_SIGNING_KEYS", "aws-secretsmanager:keys", INTERVAL, GAP, clock);
    }

    @Test
    void shouldReadOnceAtStart_andAgainOnlyAfterTheInterval() {
        RefreshingSigningKeys keys = start();
        secret.set(K2 + "," + K1);

        clock.advance(INTERVAL.minusSeconds(1));
        assertThat(keys.current().activeKeyId()).isEqualTo("k1");
        assertThat(reads).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(keys.current().activeKeyId()).isEqualTo("k2");
        assertThat(keys.current().keyIds()).containsExactlyInAnyOrder("k2", "k1");
        assertThat(reads).hasValue(2);
    }

    @Test
    void anUnknownKeyId_shouldReread_atMostOncePerGap() {
        RefreshingSigningKeys keys = start();
        clock.advance(GAP);
        secret.set(K2 + "," + K1);

        assertThat(keys.currentFor("k2").keyIds()).contains("k2");
        assertThat(reads).hasValue(2);

        for (int i = 0; i < 100; i++) {
            assertThat(keys.currentFor("made-up-" + i).keyIds()).doesNotContain("made-up-" + i);
        }
        assertThat(reads).as("an attacker's key ids must not hammer the store").hasValue(2);
        clock.advance(GAP);
        keys.currentFor("made-up");
        assertThat(reads).hasValue(3);
    }

    @Test
    void aFailedReread_shouldKeepTheLastGoodKeys() {
        RefreshingSigningKeys keys = start();
        failure.set(new IllegalStateException("store down"));
        clock.advance(INTERVAL);

        assertThat(keys.current().activeKeyId()).isEqualTo("k1");
        secret.set("k9:not-base64!!");
        failure.set(null);
        clock.advance(GAP);
        assertThat(keys.current().activeKeyId()).as("a malformed secret is not taken either").isEqualTo("k1");
    }

    @Test
    void aFailedFirstRead_shouldFailStart_namingTheSetting_withoutTheSecret() {
        failure.set(new IllegalStateException("AccessDenied"));
        assertThatThrownBy(this::start).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("SLUICE_SIGNING_KEYS")
                .hasMessageContaining("aws-secretsmanager:keys").hasMessageContaining("AccessDenied");

        failure.set(null);
        secret.set("k1:" + b64("short"));
        assertThatThrownBy(this::start).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("SLUICE_SIGNING_KEYS").hasMessageNotContaining(b64("short"));
    }

    @Test
    void signaturesAndEnvelope_shouldFollowRotation_withoutBeingRebuilt() {
        RefreshingSigningKeys keys = start();
        MessageSignatures verifier = MessageSignatures.with(keys);
        Envelope envelope = Envelope.builder().signingKeys(keys).clock(clock).build();
        Envelope oldProducer = Envelope.builder().signingKeys(SigningKeys.parse(K1, "k1")).clock(clock).build();
        Envelope newProducer = Envelope.builder().signingKeys(SigningKeys.parse(K2, "k2")).clock(clock).build();

        assertThat(verify(verifier, oldProducer)).isInstanceOf(MessageSignatures.Verification.Valid.class);
        assertThat(envelope.seal(message()).attributes()).containsEntry("sluice-key-id", "k1");

        secret.set(K2 + "," + K1);
        clock.advance(INTERVAL);
        assertThat(verify(verifier, newProducer)).isEqualTo(new MessageSignatures.Verification.Valid("k2", false));
        assertThat(verify(verifier, oldProducer)).isEqualTo(new MessageSignatures.Verification.Valid("k1", false));
        assertThat(envelope.seal(message()).attributes()).containsEntry("sluice-key-id", "k2");

        secret.set(K2);
        clock.advance(INTERVAL);
        assertThat(verify(verifier, oldProducer)).isInstanceOf(MessageSignatures.Verification.Invalid.class);
    }

    @Test
    void concurrentReaders_shouldShareOneRefresh() throws Exception {
        RefreshingSigningKeys keys = start();
        secret.set(K2 + "," + K1);
        clock.advance(INTERVAL);
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int j = 0; j < 100; j++) {
                    keys.current();
                    keys.currentFor("k2");
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(reads).hasValue(2);
        assertThat(keys.current().activeKeyId()).isEqualTo("k2");
    }

    @Test
    void toString_shouldNotShowSecrets() {
        assertThat(start().toString()).doesNotContain(b64(SECRET_1)).contains("k1");
    }

    private MessageSignatures.Verification verify(MessageSignatures verifier, Envelope producer) {
        Envelope.Sealed sealed = producer.seal(message());
        return verifier.verify(sealed.body(), sealed.attributes(), clock.instant());
    }

    private static OutboundMessage message() {
        return OutboundMessage.builder().body("{}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
