package dev.sluice.core.security;

import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * HMAC-SHA256 signatures over a message's canonical form, the one place that form is defined. Producers sign
 * with the active key; consumers accept any known key, so keys rotate without a flag day. A missing, bad, stale
 * or body-only signature makes the message {@link FailureKind#SIGNATURE_INVALID}: quarantined, never decoded.
 *
 * <p><b>Canonical form 1</b> ({@code sluice-signature-version: 1}). The MAC input is the UTF-8 line
 * {@code sluice-signature/1} and a line feed, then one field per name of {@link #SIGNED}, in that order, then the
 * body:
 * <ul>
 *   <li>a present attribute: {@code <name>:<length>:<value>\n}, where length is the value's UTF-8 byte count in
 *       decimal;</li>
 *   <li>an absent attribute: {@code <name>:-\n} (an empty value is present, with length 0);</li>
 *   <li>last, {@code body:<length>:} and the body bytes exactly as sent (after compression, before any
 *       transport encoding the broker applies), with nothing after them.</li>
 * </ul>
 * The attribute {@code sluice-signature} holds the MAC in standard base64 with padding. Every field that changes
 * how a message is processed is signed: the key id, the idempotency key, content encoding, message type, schema
 * version, the producer's message id, the sent-at time and the claim-check pointer. Bookkeeping that redrive and
 * re-publish add ({@code sluice-original-message-id}, {@code sluice-redrive-count}, {@code sluice-attempt}, the
 * dead-letter envelope) is not signed, so a redriven message still verifies.
 *
 * <p>A body-only signature (no version attribute; the MAC of the body alone) is refused unless
 * {@link SignaturePolicy#acceptBodyOnly()} says a migration is under way.
 */
public final class MessageSignatures {
    /** The canonical form {@link #sign} produces. */
    public static final String FORM_VERSION = "1";
    /** The attributes form 1 covers, in the order they enter the canonical form. */
    public static final List<String> SIGNED = List.of(
            SluiceAttributes.KEY_ID,
            SluiceAttributes.IDEMPOTENCY_KEY,
            SluiceAttributes.CONTENT_ENCODING,
            SluiceAttributes.MESSAGE_TYPE,
            SluiceAttributes.SCHEMA_VERSION,
            SluiceAttributes.MESSAGE_ID,
            SluiceAttributes.SENT_AT,
            SluiceAttributes.CLAIM_CHECK);

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] FORM_1_HEADER = "sluice-signature/1\n".getBytes(StandardCharsets.UTF_8);

    private final SigningKeySource keys;
    private final SignaturePolicy policy;

    private MessageSignatures(SigningKeySource keys, SignaturePolicy policy) {
        this.keys = keys;
        this.policy = policy;
    }

    /**
     * @param keys the keys
     * @return a signer and verifier over {@code keys} with the default policy for the default idempotency TTL
     */
    public static MessageSignatures with(SigningKeys keys) {
        return with(keys, SignaturePolicy.forTtl(SignaturePolicy.DEFAULT_TTL));
    }

    /**
     * @param keys the keys
     * @param policy what verification accepts beyond a matching MAC
     * @return a signer and verifier
     */
    public static MessageSignatures with(SigningKeys keys, SignaturePolicy policy) {
        return with(SigningKeySource.of(Objects.requireNonNull(keys, "keys")), policy);
    }

    /**
     * @param keys where the keys come from; asked for the current keys at every signature and verification, so a
     *     rotated key takes effect without a restart
     * @return a signer and verifier with the default policy for the default idempotency TTL
     */
    public static MessageSignatures with(SigningKeySource keys) {
        return with(keys, SignaturePolicy.forTtl(SignaturePolicy.DEFAULT_TTL));
    }

    /**
     * @param keys where the keys come from, asked at every signature and verification
     * @param policy what verification accepts beyond a matching MAC
     * @return a signer and verifier
     */
    public static MessageSignatures with(SigningKeySource keys, SignaturePolicy policy) {
        return new MessageSignatures(Objects.requireNonNull(keys, "keys"), Objects.requireNonNull(policy, "policy"));
    }

    /** The result of a verification. */
    public sealed interface Verification {
        /**
         * The signature is valid.
         *
         * @param keyId the key that made it
         * @param bodyOnly true for a body-only signature accepted during a migration: its attributes are unsigned
         */
        record Valid(String keyId, boolean bodyOnly) implements Verification {}

        /**
         * The signature is refused.
         *
         * @param errorType what kind of refusal, for the dead-letter envelope: {@code SignatureInvalid},
         *     {@code SignatureStale}, {@code SignatureFromFuture} or {@code SignatureBodyOnly}
         * @param reason why, without secrets
         */
        record Invalid(String errorType, String reason) implements Verification {}
    }

    /**
     * Signs a message in form 1.
     *
     * @param body the body bytes exactly as they will be sent
     * @param attributes the attributes the message will carry (those in {@link #SIGNED} are covered)
     * @param sentAt when the message is sent
     * @return the attributes to add: sent-at, form version, key id and signature
     */
    public Map<String, String> sign(byte[] body, Map<String, String> attributes, Instant sentAt) {
        SigningKeys keys = this.keys.current();
        String keyId = keys.activeKeyId();
        Map<String, String> signed = new LinkedHashMap<>(attributes);
        signed.put(SluiceAttributes.SENT_AT, sentAt.toString());
        signed.put(SluiceAttributes.KEY_ID, keyId);
        byte[] mac = hmac(keys.secret(keyId).orElseThrow(), canonicalForm(body, signed));
        Map<String, String> added = new LinkedHashMap<>();
        added.put(SluiceAttributes.SENT_AT, signed.get(SluiceAttributes.SENT_AT));
        added.put(SluiceAttributes.SIGNATURE_VERSION, FORM_VERSION);
        added.put(SluiceAttributes.KEY_ID, keyId);
        added.put(SluiceAttributes.SIGNATURE, Base64.getEncoder().encodeToString(mac));
        return added;
    }

    /**
     * The legacy body-only signature, which covers no attribute and no time. Consumers refuse it unless a
     * migration setting accepts it; it exists so that a migration can be tested.
     *
     * @param body the body bytes exactly as they will be sent
     * @return the attributes to add: signature and key id
     */
    public Map<String, String> signBodyOnly(byte[] body) {
        SigningKeys keys = this.keys.current();
        String keyId = keys.activeKeyId();
        byte[] mac = hmac(keys.secret(keyId).orElseThrow(), body);
        return Map.of(SluiceAttributes.SIGNATURE, Base64.getEncoder().encodeToString(mac), SluiceAttributes.KEY_ID, keyId);
    }

    /**
     * @param body the body bytes as sent
     * @param attributes the message's attributes, including {@code sluice-key-id}
     * @return the bytes form 1 signs
     */
    public static byte[] canonicalForm(byte[] body, Map<String, String> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(FORM_1_HEADER.length + body.length + 256);
        out.writeBytes(FORM_1_HEADER);
        for (String name : SIGNED) {
            String value = attributes.get(name);
            if (value == null) {
                out.writeBytes((name + ":-\n").getBytes(StandardCharsets.UTF_8));
            } else {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                out.writeBytes((name + ":" + bytes.length + ":").getBytes(StandardCharsets.UTF_8));
                out.writeBytes(bytes);
                out.write('\n');
            }
        }
        out.writeBytes(("body:" + body.length + ":").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /**
     * Verifies the MAC in constant time, then the form and the freshness the policy asks for.
     *
     * @param body the body bytes as received
     * @param attributes the message's attributes
     * @param now the consumer's time
     * @return valid, or refused with a reason
     */
    public Verification verify(byte[] body, Map<String, String> attributes, Instant now) {
        String signature = attributes.get(SluiceAttributes.SIGNATURE);
        String keyId = attributes.get(SluiceAttributes.KEY_ID);
        if (signature == null || signature.isBlank()) {
            return invalid("signature missing");
        }
        if (keyId == null || keyId.isBlank()) {
            return invalid("key id missing");
        }
        SigningKeys current = keys.current();
        byte[] secret = current.secret(keyId).orElse(null);
        if (secret == null) {
            // a key added to the store since the last read: the source may re-read it (rate-limited)
            secret = keys.currentFor(keyId).secret(keyId).orElse(null);
        }
        if (secret == null) {
            return invalid("unknown key id '" + keyId + "'");
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return invalid("signature is not base64");
        }
        String version = attributes.get(SluiceAttributes.SIGNATURE_VERSION);
        if (version == null) {
            if (!MessageDigest.isEqual(hmac(secret, body), given)) {
                return invalid("signature does not match the body (key id '" + keyId + "')");
            }
            return policy.acceptBodyOnly() ? new Verification.Valid(keyId, true)
                    : new Verification.Invalid("SignatureBodyOnly", "a body-only signature covers no attribute and no time;"
                            + " sign with form " + FORM_VERSION + ", or accept body-only signatures while migrating");
        }
        if (!FORM_VERSION.equals(version)) {
            return invalid("unknown signature form '" + version + "' (this consumer knows form " + FORM_VERSION + ")");
        }
        if (!MessageDigest.isEqual(hmac(secret, canonicalForm(body, attributes)), given)) {
            return invalid("signature does not match the body and signed attributes (key id '" + keyId + "')");
        }
        return fresh(attributes.get(SluiceAttributes.SENT_AT), now, keyId);
    }

    private Verification fresh(@Nullable String sentAtText, Instant now, String keyId) {
        if (sentAtText == null) {
            return invalid("sent-at missing: form " + FORM_VERSION + " signs " + SluiceAttributes.SENT_AT);
        }
        Instant sentAt;
        try {
            sentAt = Instant.parse(sentAtText);
        } catch (DateTimeException e) {
            return invalid("sent-at is not an ISO-8601 instant");
        }
        Duration age = Duration.between(sentAt, now);
        if (age.compareTo(policy.maxAge()) > 0) {
            return new Verification.Invalid("SignatureStale", "sent at " + sentAt + ", " + age.toSeconds()
                    + " s ago; the most accepted is " + policy.maxAge().toSeconds() + " s");
        }
        if (age.isNegative() && age.negated().compareTo(policy.clockSkew()) > 0) {
            return new Verification.Invalid("SignatureFromFuture", "sent at " + sentAt + ", " + age.negated().toSeconds()
                    + " s ahead of this consumer; the clock skew allowed is " + policy.clockSkew().toSeconds() + " s");
        }
        return new Verification.Valid(keyId, false);
    }

    private static Verification invalid(String reason) {
        return new Verification.Invalid("SignatureInvalid", reason);
    }

    private static byte[] hmac(byte[] secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by the Java platform", e);
        }
    }
}
