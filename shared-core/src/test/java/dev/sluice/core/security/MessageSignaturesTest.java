package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures.Verification;
import java.nio.charset.StandardCharsets;
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

    private final MessageSignatures signatures = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", OLD_SECRET)));

    @Test
    void verify_shouldAccept_whatSignProduced() {
        // GIVEN a body signed by a producer
        Map<String, String> attributes = signatures.sign(BODY);

        // WHEN the consumer verifies it
        Verification verification = signatures.verify(BODY, attributes);

        // THEN it is valid and names the key that signed
        assertThat(attributes).containsOnlyKeys(SluiceAttributes.SIGNATURE, SluiceAttributes.KEY_ID)
                .containsEntry(SluiceAttributes.KEY_ID, "k1");
        assertThat(verification).isEqualTo(new Verification.Valid("k1"));
    }

    @Test
    void sign_shouldProduceStandardHmacSha256_soOtherLanguagesCanSign() {
        // GIVEN RFC 4231 test case 6 (131-byte key of 0xaa)
        byte[] key = new byte[131];
        Arrays.fill(key, (byte) 0xaa);
        byte[] data = "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII);
        MessageSignatures rfc = MessageSignatures.with(SigningKeys.of("rfc", Map.of("rfc", key)));

        // WHEN signed
        String signature = rfc.sign(data).get(SluiceAttributes.SIGNATURE);

        // THEN the attribute is the RFC's MAC in standard base64
        assertThat(HexFormat.of().formatHex(Base64.getDecoder().decode(signature)))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void verify_shouldReject_aTamperedBody() {
        // GIVEN a signed body with one byte changed in transit (the amount)
        Map<String, String> attributes = signatures.sign(BODY);
        byte[] tampered = new String(BODY, StandardCharsets.UTF_8).replace("12345", "92345").getBytes(StandardCharsets.UTF_8);

        // WHEN verified
        Verification verification = signatures.verify(tampered, attributes);

        // THEN it is invalid, saying why
        assertThat(verification).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("does not match").contains("k1"));
    }

    @Test
    void verify_shouldReject_aMissingOrBlankSignature() {
        assertThat(signatures.verify(BODY, Map.of(SluiceAttributes.KEY_ID, "k1")))
                .isEqualTo(new Verification.Invalid("signature missing"));
        assertThat(signatures.verify(BODY, Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.SIGNATURE, "  ")))
                .isEqualTo(new Verification.Invalid("signature missing"));
        assertThat(signatures.verify(BODY, Map.of())).isEqualTo(new Verification.Invalid("signature missing"));
    }

    @Test
    void verify_shouldReject_aMissingKeyId() {
        // GIVEN a valid signature whose key id was dropped
        Map<String, String> attributes = new HashMap<>(signatures.sign(BODY));
        attributes.remove(SluiceAttributes.KEY_ID);

        // WHEN verified THEN invalid: the consumer will not guess the key
        assertThat(signatures.verify(BODY, attributes)).isEqualTo(new Verification.Invalid("key id missing"));
    }

    @Test
    void verify_shouldReject_anUnknownKeyId() {
        // GIVEN a signature claiming a key the consumer does not have
        Map<String, String> attributes = new HashMap<>(signatures.sign(BODY));
        attributes.put(SluiceAttributes.KEY_ID, "k9");

        // WHEN verified THEN invalid, naming the unknown key
        assertThat(signatures.verify(BODY, attributes)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("unknown key id").contains("k9"));
    }

    @Test
    void verify_shouldReject_aSignatureThatIsNotBase64() {
        Map<String, String> attributes = Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.SIGNATURE, "not*base64!");

        assertThat(signatures.verify(BODY, attributes)).isEqualTo(new Verification.Invalid("signature is not base64"));
    }

    @Test
    void verify_shouldReject_aTruncatedSignature() {
        // GIVEN the first 16 bytes of a correct MAC, still valid base64
        byte[] mac = Base64.getDecoder().decode(signatures.sign(BODY).get(SluiceAttributes.SIGNATURE));
        String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(mac, 16));

        // WHEN verified THEN invalid
        assertThat(signatures.verify(BODY, Map.of(SluiceAttributes.KEY_ID, "k1", SluiceAttributes.SIGNATURE, truncated)))
                .isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void verify_shouldReject_aSignatureMadeWithAnotherSecretUnderTheSameKeyId() {
        // GIVEN an attacker who knows the key id but not the secret
        MessageSignatures forger = MessageSignatures.with(SigningKeys.of("k1", Map.of("k1", secret('x'))));

        // WHEN the consumer verifies the forged signature THEN it is invalid
        assertThat(signatures.verify(BODY, forger.sign(BODY))).isInstanceOf(Verification.Invalid.class);
    }

    @Test
    void verify_shouldNeverPutTheSecretInTheReason() {
        Map<String, String> attributes = new HashMap<>(signatures.sign(BODY));
        attributes.put(SluiceAttributes.SIGNATURE, Base64.getEncoder().encodeToString(OLD_SECRET));

        Verification verification = signatures.verify(BODY, attributes);

        assertThat(verification).isInstanceOfSatisfying(Verification.Invalid.class, invalid -> assertThat(invalid.reason())
                .doesNotContain(new String(OLD_SECRET, StandardCharsets.US_ASCII))
                .doesNotContain(Base64.getEncoder().encodeToString(OLD_SECRET)));
    }

    @Test
    void rotation_shouldVerifyOldMessages_whileTheNewKeySigns() {
        // GIVEN a message signed before rotation, with the old key
        Map<String, String> signedBefore = signatures.sign(BODY);

        // WHEN the keys rotate: the new key signs, the old one still verifies
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put("k2", NEW_SECRET);
        secrets.put("k1", OLD_SECRET);
        MessageSignatures rotated = MessageSignatures.with(SigningKeys.of("k2", secrets));
        Map<String, String> signedAfter = rotated.sign(BODY);

        // THEN new messages carry the new key id, and old and new messages both verify
        assertThat(signedAfter).containsEntry(SluiceAttributes.KEY_ID, "k2");
        assertThat(signedAfter.get(SluiceAttributes.SIGNATURE)).isNotEqualTo(signedBefore.get(SluiceAttributes.SIGNATURE));
        assertThat(rotated.verify(BODY, signedBefore)).isEqualTo(new Verification.Valid("k1"));
        assertThat(rotated.verify(BODY, signedAfter)).isEqualTo(new Verification.Valid("k2"));
    }

    @Test
    void rotation_shouldRejectOldMessages_onceTheOldKeyIsRetired() {
        // GIVEN a message signed with the old key, and a consumer that dropped it
        Map<String, String> signedBefore = signatures.sign(BODY);
        MessageSignatures retired = MessageSignatures.with(SigningKeys.of("k2", Map.of("k2", NEW_SECRET)));

        // WHEN verified THEN it no longer passes
        assertThat(retired.verify(BODY, signedBefore)).isInstanceOfSatisfying(Verification.Invalid.class,
                invalid -> assertThat(invalid.reason()).contains("unknown key id"));
    }

    @Test
    void signingKeys_shouldCopyTheSecret_soLaterChangesToTheArrayDoNotMatter() {
        // GIVEN keys built from an array that the caller later wipes
        byte[] secret = secret('w');
        MessageSignatures before = MessageSignatures.with(SigningKeys.of("k", Map.of("k", secret)));
        Map<String, String> attributes = before.sign(BODY);
        Arrays.fill(secret, (byte) 0);

        // WHEN verified with the same keys object THEN still valid
        assertThat(before.verify(BODY, attributes)).isEqualTo(new Verification.Valid("k"));
    }

    private static byte[] secret(char fill) {
        byte[] secret = new byte[SigningKeys.MIN_SECRET_BYTES];
        Arrays.fill(secret, (byte) fill);
        return secret;
    }
}
