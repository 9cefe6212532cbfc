package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures.Verification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageSignaturesTest {
    private static final byte[] OLD_SECRET = secret('o');
    private static final byte[] NEW_SECRET = secret('n');
    private static final byte[] BODY = "{\"orderId\":\"ORD-2026-000123\",\"amountCents\":12345}".getBytes(StandardCharsets.UTF_8);
    private static final Instant SENT = Instant.parse("2026-12-05T10:00:00Z");
    private static final Instant NOW = SENT.plusSeconds(60);
    private static final Map<String, String> PRODUCER = Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "ORD-2026-000123",
            SluiceAttributes.MESSAGE_TYPE, "order", SluiceAttributes.SCHEMA_VERSION, "2");

    private final MessageSignatures signatures = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", OLD_SECRET)));

    /** The producer's attributes plus what {@code signer} adds: the message as sent. */
    private static Map<String, String> signed(MessageSignatures signer, byte[] body) {
        Map<String, String> attributes = new HashMap<>(PRODUCER);
        attributes.putAll(signer.sign(body, attributes, SENT));
        return attributes;
    }

    @Test
    void verify_shouldAccept_whatSignProduced() {
        // GIVEN a body and its attributes signed by a producer
        Map<String, String> added = signatures.sign(BODY, PRODUCER, SENT);
        Map<String, String> attributes = new HashMap<>(PRODUCER);
        attributes.putAll(added);

        // WHEN the consumer verifies it a minute later
        Verification verification = signatures.verify(BODY, attributes, NOW);

        // THEN it is valid and names the key that signed; the producer's attributes are untouched
        assertThat(added).containsOnlyKeys(SluiceAttributes.SIGNATURE, SluiceAttributes.KEY_ID,
                        SluiceAttributes.SIGNATURE_VERSION, SluiceAttributes.SENT_AT)
                .containsEntry(SluiceAttributes.KEY_ID, "k1")
                .containsEntry(SluiceAttributes.SIGNATURE_VERSION, "1")
                .containsEntry(SluiceAttributes.SENT_AT, "2026-12-05T10:00:00Z");
        assertThat(verification).isEqualTo(new Verification.Valid("k1", false));
    }

    @Test
    void canonicalForm1_isTheDocumentedBytes_soOtherLanguagesCanSign() {
        // GIVEN a message with some signed attributes present and some absent
        Map<String, String> attributes = Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.IDEMPOTENCY_KEY, "o-1",
                SluiceAttributes.MESSAGE_TYPE, "order", SluiceAttributes.SCHEMA_VERSION, "2",
                SluiceAttributes.SENT_AT, "2026-12-05T10:00:00Z", SluiceAttributes.CORRELATION_ID, "not signed");
        byte[] body = "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8);

        // WHEN the canonical form is built and signed with a 32-byte key of 'k'
        String form = new String(MessageSignatures.canonicalForm(body, attributes), StandardCharsets.UTF_8);
        MessageSignatures k = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", secret('k'))));
        Map<String, String> sent = new HashMap<>(attributes);
        sent.remove(SluiceAttributes.KEY_ID);
        sent.remove(SluiceAttributes.SENT_AT);

        // THEN it is exactly the documented form (the MAC was computed independently, with Python's hmac module)
        assertThat(form).isEqualTo("sluice-signature/1\nsluice-key-id:2:k1\nidempotency-key:3:o-1\ncontent-encoding:-\n"
                + "message-type:5:order\nschema-version:1:2\nsluice-message-id:-\nsluice-sent-at:20:2026-12-05T10:00:00Z\n"
                + "sluice-claim-check:-\nbody:17:{\"orderId\":\"o-1\"}");
        assertThat(k.sign(body, sent, SENT)).containsEntry(SluiceAttributes.SIGNATURE, "92ukDdTRrq3bPPxSy7LVCTFELYQxT0yw5ucMUsijsHY=");
    }

    @Test
    void everySignedAttribute_changedRemovedOrAdded_isRefused() {
        Map<String, String> attributes = signed(signatures, BODY);
        for (String name : MessageSignatures.SIGNED) {
            Map<String, String> changed = new HashMap<>(attributes);
            changed.merge(name, "x", String::concat);
            Map<String, String> removedOrAdded = new HashMap<>(attributes);
            if (removedOrAdded.remove(name) == null) {
                removedOrAdded.put(name, "added");
            }
            assertThat(signatures.verify(BODY, changed, NOW)).as("changed " + name).isInstanceOf(Verification.Invalid.class);
            assertThat(signatures.verify(BODY, removedOrAdded, NOW)).as("removed or added " + name)
                    .isInstanceOf(Verification.Invalid.class);
        }
    }

    @Test
    void redriveBookkeeping_isNotSigned_soARedrivenMessageStillVerifies() {
        // GIVEN a signed message that was dead-lettered and redriven: envelope, original id and count added
        Map<String, String> redriven = signed(signatures, BODY);
        redriven.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, "m-1");
        redriven.put(SluiceAttributes.REDRIVE_COUNT, "1");
        redriven.put(SluiceAttributes.ATTEMPT, "3");
        redriven.put(SluiceAttributes.FAILURE_KIND, "EXHAUSTED");
        redriven.put(SluiceAttributes.CORRELATION_ID, "c-1");

        // WHEN verified THEN still valid
        assertThat(signatures.verify(BODY, redriven, NOW)).isEqualTo(new Verification.Valid("k1", false));
    }

    @Test
    void aSentAtOlderThanTheMaximumAge_isRefusedAsStale() {
        MessageSignatures strict = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", OLD_SECRET)),
                new SignaturePolicy(Duration.ofHours(1), Duration.ofMinutes(5), false));
        Map<String, String> attributes = signed(strict, BODY);

        assertThat(strict.verify(BODY, attributes, SENT.plus(Duration.ofHours(1)))).isEqualTo(new Verification.Valid("k1", false));
        assertThat(strict.verify(BODY, attributes, SENT.plus(Duration.ofHours(1)).plusSeconds(1)))
                .isInstanceOfSatisfying(Verification.Invalid.class, invalid -> {
                    assertThat(invalid.errorType()).isEqualTo("SignatureStale");
                    assertThat(invalid.reason()).contains("3601 s ago").contains("3600 s");
                });
    }

    @Test
    void aSentAtFurtherAheadThanTheClockSkew_isRefused() {
        MessageSignatures strict = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", OLD_SECRET)),
                new SignaturePolicy(Duration.ofHours(1), Duration.ofMinutes(5), false));
        Map<String, String> attributes = signed(strict, BODY);

        assertThat(strict.verify(BODY, attributes, SENT.minus(Duration.ofMinutes(5)))).isEqualTo(new Verification.Valid("k1", false));
        assertThat(strict.verify(BODY, attributes, SENT.minus(Duration.ofMinutes(5)).minusSeconds(1)))
                .isInstanceOfSatisfying(Verification.Invalid.class, invalid -> {
                    assertThat(invalid.errorType()).isEqualTo("SignatureFromFuture");
                    assertThat(invalid.reason()).contains("301 s ahead").contains("300 s");
                });
    }

    @Test
    void aBodyOnlySignature_isRefusedByDefault_andAcceptedWhileMigrating() {
        Map<String, String> bodyOnly = new HashMap<>(PRODUCER);
        bodyOnly.putAll(signatures.signBodyOnly(BODY));
        MessageSignatures migrating = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", OLD_SECRET)),
                new SignaturePolicy(Duration.ofDays(1), Duration.ofMinutes(5), true));

        assertThat(signatures.verify(BODY, bodyOnly, NOW)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.errorType()).isEqualTo("SignatureBodyOnly"));
        assertThat(migrating.verify(BODY, bodyOnly, NOW)).isEqualTo(new Verification.Valid("k1", true));
    }

    @Test
    void aForm1SignatureWithItsVersionRemoved_isRefusedEvenWhileMigrating() {
        // GIVEN an attacker who strips the version attribute to pass a form-1 MAC off as body-only
        Map<String, String> downgraded = signed(signatures, BODY);
        downgraded.remove(SluiceAttributes.SIGNATURE_VERSION);
        MessageSignatures migrating = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", OLD_SECRET)),
                new SignaturePolicy(Duration.ofDays(1), Duration.ofMinutes(5), true));

        // WHEN verified THEN the MAC does not match the body alone
        assertThat(migrating.verify(BODY, downgraded, NOW)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("does not match the body"));
    }

    @Test
    void anUnknownFormVersion_isRefused() {
        Map<String, String> attributes = signed(signatures, BODY);
        attributes.put(SluiceAttributes.SIGNATURE_VERSION, "2");

        assertThat(signatures.verify(BODY, attributes, NOW)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("unknown signature form '2'"));
    }

    @Test
    void signBodyOnly_isStandardHmacSha256() {
        // GIVEN RFC 4231 test case 6 (131-byte key of 0xaa)
        byte[] key = new byte[131];
        Arrays.fill(key, (byte) 0xaa);
        byte[] data = "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII);
        MessageSignatures rfc = MessageSignatures.with(SigningKeys.of("rfc", Map.of("rfc", key)));

        // WHEN signed
        String signature = rfc.signBodyOnly(data).get(SluiceAttributes.SIGNATURE);

        // THEN the attribute is the RFC's MAC in standard base64
        assertThat(HexFormat.of().formatHex(Base64.getDecoder().decode(signature)))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void verify_shouldReject_aTamperedBody() {
        // GIVEN a signed body with one byte changed in transit (the amount)
        Map<String, String> attributes = signed(signatures, BODY);
        byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace("12345", "92345").getBytes(StandardCharsets.UTF_8);

        // WHEN verified
        Verification verification = signatures.verify(tampered, attributes, NOW);

        // THEN it is invalid, saying why
        assertThat(verification).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("does not match").contains("k1"));
    }

    @Test
    void verify_shouldReject_aMissingOrBlankSignature() {
        assertThat(signatures.verify(BODY, Map.of(SluiceAttributes.KEY_ID, "k1"), NOW))
                .isEqualTo(new Verification.Invalid("SignatureInvalid", "signature missing"));
        assertThat(signatures.verify(BODY, Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.SIGNATURE, "  "), NOW))
                .isEqualTo(new Verification.Invalid("SignatureInvalid", "signature missing"));
        assertThat(signatures.verify(BODY, Map.of(), NOW)).isEqualTo(new Verification.Invalid("SignatureInvalid", "signature missing"));
    }

    @Test
    void verify_shouldReject_aMissingKeyId() {
        // GIVEN a valid signature whose key id was dropped
        Map<String, String> attributes = signed(signatures, BODY);
        attributes.remove(SluiceAttributes.KEY_ID);

        // WHEN verified THEN invalid: the consumer will not guess the key
        assertThat(signatures.verify(BODY, attributes, NOW)).isEqualTo(new Verification.Invalid("SignatureInvalid", "key id missing"));
    }

    @Test
    void verify_shouldReject_anUnknownKeyId() {
        // GIVEN a signature claiming a key the consumer does not have
        Map<String, String> attributes = signed(signatures, BODY);
        attributes.put(SluiceAttributes.KEY_ID, "k9");

        // WHEN verified THEN invalid, naming the unknown key
        assertThat(signatures.verify(BODY, attributes, NOW)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("unknown key id").contains("k9"));
    }

    @Test
    void verify_shouldReject_aSignatureThatIsNotBase64() {
        Map<String, String> attributes = Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.SIGNATURE, "not*base64!");

        assertThat(signatures.verify(BODY, attributes, NOW)).isEqualTo(new Verification.Invalid("SignatureInvalid", "signature is not base64"));
    }

    @Test
    void verify_shouldReject_aTruncatedSignature() {
        // GIVEN the first 16 bytes of a correct MAC, still valid base64
        byte[] mac = Base64.getDecoder().decode(signed(signatures, BODY).get(SluiceAttributes.SIGNATURE));
        String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(mac, 16));

        // WHEN verified THEN invalid
        assertThat(signatures.verify(BODY, Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.SIGNATURE, truncated), NOW))
                .isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void verify_shouldReject_aSignatureMadeWithAnotherSecretUnderTheSameKeyId() {
        // GIVEN an attacker who knows the key id but not the secret
        MessageSignatures forger = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", secret('x'))));

        // WHEN the consumer verifies the forged signature THEN it is invalid
        assertThat(signatures.verify(BODY, signed(forger, BODY), NOW)).isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void verify_shouldNeverPutTheSecretInTheReason() {
        Map<String, String> attributes = signed(signatures, BODY);
        attributes.put(SluiceAttributes.SIGNATURE, Base64.getEncoder().encodeToString(OLD_SECRET));

        Verification verification = signatures.verify(BODY, attributes, NOW);

        assertThat(verification).isInstanceOfSatisfying(Verification.Invalid.class, invalid -> assertThat(invalid.reason())
                .doesNotContain(new String(OLD_SECRET, StandardCharsets.US_ASCII))
                .doesNotContain(Base64.getEncoder().encodeToString(OLD_SECRET)));
    }

    @Test
    void rotation_shouldVerifyOldMessages_whileTheNewKeySigns() {
        // GIVEN a message signed before rotation, with the old key
        Map<String, String> signedBefore = signed(signatures, BODY);

        // WHEN the keys rotate: the new key signs, the old one still verifies
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put("k2", NEW_SECRET);
        secrets.put("k1", OLD_SECRET);
        MessageSignatures rotated = MessageSignatures.with(SigningKeys.of("k2", secrets));
        Map<String, String> signedAfter = signed(rotated, BODY);

        // THEN new messages carry the new key id, and old and new messages both verify
        assertThat(signedAfter).containsEntry(SluiceAttributes.KEY_ID, "k2");
        assertThat(signedAfter.get(SluiceAttributes.SIGNATURE)).isNotEqualTo(signedBefore.get(SluiceAttributes.SIGNATURE));
        assertThat(rotated.verify(BODY, signedBefore, NOW)).isEqualTo(new Verification.Valid("k1", false));
        assertThat(rotated.verify(BODY, signedAfter, NOW)).isEqualTo(new Verification.Valid("k2", false));
    }

    @Test
    void rotation_shouldRejectOldMessages_onceTheOldKeyIsRetired() {
        // GIVEN a message signed with the old key, and a consumer that dropped it
        Map<String, String> signedBefore = signed(signatures, BODY);
        MessageSignatures retired = MessageSignatures.with(SigningKeys.of("k2", Map.of("k2", NEW_SECRET)));

        // WHEN verified THEN it no longer passes
        assertThat(retired.verify(BODY, signedBefore, NOW)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("unknown key id"));
    }

    @Test
    void signingKeys_shouldCopyTheSecret_soLaterChangesToTheArrayDoNotMatter() {
        // GIVEN keys built from an array that the caller later wipes
        byte[] secret = secret('w');
        MessageSignatures before = MessageSignatures.with(SigningKeys.of("k", Map.of("k", secret)));
        Map<String, String> attributes = signed(before, BODY);
        Arrays.fill(secret, (byte) 0);

        // WHEN verified with the same keys object THEN still valid
        assertThat(before.verify(BODY, attributes, NOW)).isEqualTo(new Verification.Valid("k", false));
    }

    private static byte[] secret(char fill) {
        byte[] secret = new byte[SigningKeys.MIN_SECRET_BYTES];
        Arrays.fill(secret, (byte) fill);
        return secret;
    }
}
