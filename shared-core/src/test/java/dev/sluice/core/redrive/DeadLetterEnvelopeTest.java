package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.pipeline.FailureKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeadLetterEnvelopeTest {
    private static final Instant FIRST = Instant.parse("2026-01-15T10:15:30Z");
    private static final Instant LAST = Instant.parse("2026-01-15T10:20:31.250Z");
    private static final int MAX = DeadLetterEnvelope.MAX_ERROR_MESSAGE_BYTES;

    @Test
    void toAttributes_shouldWriteEveryEnvelopeAttribute() {
        // GIVEN an envelope
        DeadLetterEnvelope envelope = envelope("downstream returned 503");

        // WHEN written as attributes
        Map<String, String> attributes = envelope.toAttributes();

        // THEN each field has its documented attribute
        assertThat(attributes).containsOnly(
                Map.entry("sluice-failure-kind", "EXHAUSTED"),
                Map.entry("sluice-error-type", "java.net.SocketTimeoutException"),
                Map.entry("sluice-error-message", "downstream returned 503"),
                Map.entry("sluice-error-fingerprint", "0123456789abcdef"),
                Map.entry("sluice-attempts", "3"),
                Map.entry("sluice-first-failure-at", "2026-01-15T10:15:30Z"),
                Map.entry("sluice-last-failure-at", "2026-01-15T10:20:31.250Z"),
                Map.entry("sluice-source-queue", "orders"),
                Map.entry("sluice-original-message-id", "msg-42"));
    }

    @Test
    void fromAttributes_shouldReadBackWhatToAttributesWrote() {
        // GIVEN an envelope written as attributes, among the message's own attributes
        DeadLetterEnvelope envelope = envelope("downstream returned 503");
        Map<String, String> attributes = new HashMap<>(envelope.toAttributes());
        attributes.put(SluiceAttributes.CORRELATION_ID, "corr-1");

        // WHEN read back THEN it is the same envelope
        assertThat(DeadLetterEnvelope.fromAttributes(attributes)).contains(envelope);
    }

    @Test
    void roundTrip_shouldKeepAnEmptyErrorMessageEmpty() {
        // GIVEN an error without a message (e.g. a bare NullPointerException)
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(FailureKind.PERMANENT, "java.lang.NullPointerException", null,
                "fedcba9876543210", 1, FIRST, FIRST, "orders", "msg-1");

        // WHEN written and read back
        Map<String, String> attributes = envelope.toAttributes();

        // THEN the attribute is not empty (some providers drop empty values) and the message reads back empty
        assertThat(attributes.get(SluiceAttributes.ERROR_MESSAGE)).isEqualTo("(none)");
        assertThat(DeadLetterEnvelope.fromAttributes(attributes)).hasValueSatisfying(read -> {
            assertThat(read.errorMessage()).isEmpty();
            assertThat(read).isEqualTo(envelope);
        });
    }

    @Test
    void errorMessage_shouldBeRedacted() {
        // GIVEN a handler error that quotes personal data and a key
        DeadLetterEnvelope envelope = envelope(
                "charge failed for jane.roe@example.com card 4111 1111 1111 1111 with key AKIAIOSFODNN7EXAMPLE");

        // THEN the envelope carries the redacted text
        assertThat(envelope.toAttributes().get(SluiceAttributes.ERROR_MESSAGE))
                .isEqualTo("charge failed for [REDACTED_EMAIL] card [REDACTED_CARD] with key [REDACTED_AWS_ACCESS_KEY]");
    }

    @Test
    void errorMessage_shouldBeTruncatedTo1KiB() {
        // GIVEN a 5,000-character ASCII message
        DeadLetterEnvelope envelope = envelope("x".repeat(5_000));

        // THEN exactly 1,024 bytes are kept
        assertThat(utf8Length(envelope.errorMessage())).isEqualTo(MAX);
        assertThat(envelope.errorMessage()).isEqualTo("x".repeat(MAX));
    }

    @Test
    void errorMessage_shouldBeKept_whenItFitsExactly() {
        String exactly = "y".repeat(MAX);

        assertThat(envelope(exactly).errorMessage()).isEqualTo(exactly);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\u00e9", "\u20ac", "\uD83D\uDE00", "\u4e2d"})
    void errorMessage_shouldNotSplitAMultiByteCharacter_atTheLimit(String character) {
        // GIVEN an odd ASCII prefix so that the 1,024-byte boundary falls inside a character
        String message = "a" + character.repeat(1_000);

        // WHEN truncated
        String kept = envelope(message).errorMessage();

        // THEN it fits, ends on a whole character, and is a prefix of the original
        assertThat(utf8Length(kept)).isLessThanOrEqualTo(MAX).isGreaterThan(MAX - utf8Length(character));
        assertThat(message).startsWith(kept);
        assertThat(kept).endsWith(character);
        assertThat(new String(kept.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(kept);
    }

    @Test
    void errorMessage_shouldBeRedactedBeforeItIsTruncated() {
        // GIVEN a card number that straddles the 1,024-byte boundary
        String message = "p".repeat(MAX - 8) + " 4111111111111111 trailing";

        // WHEN the envelope is made
        String kept = envelope(message).errorMessage();

        // THEN no digits of the card survive (truncating first would leave "4111111", which no rule catches)
        assertThat(kept).doesNotContain("4111");
        assertThat(utf8Length(kept)).isLessThanOrEqualTo(MAX);
    }

    @Test
    void fromAttributes_shouldBeEmpty_forAMessageWithoutAnEnvelope() {
        // GIVEN messages the queue itself dead-lettered (e.g. after a crash), with only provider attributes
        assertThat(DeadLetterEnvelope.fromAttributes(Map.of())).isEmpty();
        assertThat(DeadLetterEnvelope.fromAttributes(Map.of(SluiceAttributes.CORRELATION_ID, "corr-1",
                SluiceAttributes.MESSAGE_TYPE, "order-created"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            "sluice-failure-kind, MELTDOWN",
            "sluice-attempts, three",
            "sluice-first-failure-at, yesterday",
            "sluice-last-failure-at, 2026-13-45T99:99:99Z",
    })
    void fromAttributes_shouldBeEmpty_forAnUnreadableEnvelope(String attribute, String badValue) {
        // GIVEN an envelope with one damaged attribute
        Map<String, String> attributes = new HashMap<>(envelope("boom").toAttributes());
        attributes.put(attribute, badValue);

        // WHEN read THEN empty, not an exception (inspect and redrive must keep going)
        assertThat(DeadLetterEnvelope.fromAttributes(attributes)).isEmpty();
    }

    @Test
    void fromAttributes_shouldReadAMinimalEnvelope_withTheGivenTimeForTheMissingFailureTimes() {
        // GIVEN the minimal envelope an adapter sends when a provider refused the full one
        Map<String, String> attributes = envelope("boom").toMinimalAttributes();
        Instant enqueued = Instant.parse("2026-01-16T08:00:00Z");

        // WHEN read, with the dead letter's enqueue time for what it lacks
        // THEN kind, id and attempts read back, so redrive filters by kind still see it
        assertThat(attributes).containsOnlyKeys("sluice-failure-kind", "sluice-original-message-id", "sluice-attempts");
        assertThat(DeadLetterEnvelope.fromAttributes(attributes, enqueued)).hasValueSatisfying(read -> {
            assertThat(read.failureKind()).isEqualTo(FailureKind.EXHAUSTED);
            assertThat(read.originalMessageId()).isEqualTo("msg-42");
            assertThat(read.attempts()).isEqualTo(3);
            assertThat(read.errorType()).isEqualTo("unknown");
            assertThat(read.lastFailureAt()).isEqualTo(enqueued);
        });
    }

    @Test
    void everyTextField_shouldBeSafeForEveryProvider_whenItCarriesControlCharacters() {
        // GIVEN a permanent failure whose message, type, queue and id carry characters SQS rejects in attributes
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(FailureKind.PERMANENT, "com.example.Bad\u0000Type",
                "negative amount for order o-\u0001\u001B[31m jane.roe@example.com", "fp\uFFFF", 1, FIRST, LAST,
                "orders\u0007", "msg-\uD800");

        // WHEN written as attributes
        Map<String, String> attributes = envelope.toAttributes();

        // THEN each such character shows as U+FFFD, redaction still applied, and every value is valid everywhere
        assertThat(attributes).containsEntry("sluice-error-message", "negative amount for order o-\uFFFD\uFFFD[31m [REDACTED_EMAIL]")
                .containsEntry("sluice-error-type", "com.example.Bad\uFFFDType")
                .containsEntry("sluice-error-fingerprint", "fp\uFFFD")
                .containsEntry("sluice-source-queue", "orders\uFFFD")
                .containsEntry("sluice-original-message-id", "msg-\uFFFD");
        assertThat(attributes.values()).allSatisfy(v -> assertThat(v.codePoints())
                .allMatch(dev.sluice.core.security.Texts::providerSafe));
    }

    @Test
    void theOtherTextFields_shouldBeBounded() {
        // GIVEN a source queue name and an id far beyond any provider's names
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(FailureKind.POISON, "T".repeat(2_000), "m", "f".repeat(2_000), 1,
                FIRST, LAST, "q".repeat(2_000), "i".repeat(2_000));

        // THEN each is cut to the field bound
        assertThat(List.of(envelope.errorType(), envelope.errorFingerprint(), envelope.sourceQueue(), envelope.originalMessageId()))
                .allSatisfy(v -> assertThat(utf8Length(v)).isEqualTo(DeadLetterEnvelope.MAX_FIELD_BYTES));
    }

    @Test
    void fromAttributes_shouldRedactAForeignErrorMessage() {
        // GIVEN an envelope written by some other tool, with an unredacted message
        Map<String, String> attributes = new HashMap<>(envelope("boom").toAttributes());
        attributes.put(SluiceAttributes.ERROR_MESSAGE, "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl was rejected");

        // WHEN read THEN the message is redacted all the same
        assertThat(DeadLetterEnvelope.fromAttributes(attributes))
                .hasValueSatisfying(read -> assertThat(read.errorMessage()).isEqualTo("token [REDACTED_JWT] was rejected"));
    }

    private static DeadLetterEnvelope envelope(String message) {
        return new DeadLetterEnvelope(FailureKind.EXHAUSTED, "java.net.SocketTimeoutException", message, "0123456789abcdef", 3,
                FIRST, LAST, "orders", "msg-42");
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
