package dev.sluice.core.pipeline;

import dev.sluice.core.Message;
import dev.sluice.core.claimcheck.MissingPayloadException;
import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.internal.ErrorFingerprint;
import dev.sluice.core.internal.IdempotencyKeys;
import dev.sluice.core.security.MessageSignatures;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/** Second stage: a claim-checked payload read from its store, signature check, inflation, decoding and the idempotency key. */
final class Unwrap<T> {
    /** What unwrapping gave: a decoded message, or why there is none. */
    sealed interface Result<T> permits Decoded, Refused, Missing, Unavailable {}

    /** @param key the idempotency key, null without idempotency */
    record Decoded<T>(Message<T> message, byte[] payload, @Nullable String key) implements Result<T> {}

    record Refused<T>(Verdict.Rejected verdict) implements Result<T> {}

    /**
     * The message's stored payload is gone: poison, unless the message was completed before (its payload deleted
     * after that success, and the message delivered again).
     *
     * @param signed whether the consumer verifies signatures
     */
    record Missing<T>(Verdict.Rejected verdict, boolean signed) implements Result<T> {}

    /** The payload store could not be read: nothing is known about the message yet. */
    record Unavailable<T>(RuntimeException error) implements Result<T> {}

    private final MessageCodec<T> codec;
    private final @Nullable MessageSignatures signatures;
    private final @Nullable IdempotencyOptions idempotency;
    private final int maxPayloadBytes;
    private final Clock clock;
    private final StoredPayloads payloads;

    Unwrap(MessageCodec<T> codec, @Nullable MessageSignatures signatures, @Nullable IdempotencyOptions idempotency,
           int maxPayloadBytes, Clock clock, StoredPayloads payloads) {
        this.payloads = payloads;
        this.codec = codec;
        this.signatures = signatures;
        this.idempotency = idempotency;
        this.maxPayloadBytes = maxPayloadBytes;
        this.clock = clock;
    }

    Result<T> apply(IncomingMessage message, int attempt) {
        byte[] body;
        try {
            body = payloads.resolve(message, maxPayloadBytes);
        } catch (MissingPayloadException e) {
            return new Missing<>(rejected(FailureKind.POISON, e.getClass().getName(), e.getMessage(),
                    ErrorFingerprint.of(e.getClass().getName()), attempt), signatures != null);
        } catch (DecodingException e) {
            return refused(FailureKind.POISON, e.getClass().getName(), e.getMessage(),
                    ErrorFingerprint.of(e.getClass().getName()), attempt);
        } catch (RuntimeException e) {
            return new Unavailable<>(e);
        }
        // with a form-1 signature the key comes from signed data only, never from the broker's message id
        boolean signedKeyOnly = false;
        if (signatures != null) {
            switch (signatures.verify(body, message.attributes(), clock.instant())) {
                case MessageSignatures.Verification.Invalid invalid -> {
                    return refused(FailureKind.SIGNATURE_INVALID, invalid.errorType(), invalid.reason(),
                            ErrorFingerprint.of(invalid.errorType()), attempt);
                }
                case MessageSignatures.Verification.Valid valid -> signedKeyOnly = !valid.bodyOnly();
            }
        }
        try {
            byte[] payload = PayloadCompression.decodePayload(body, message.attributes(), maxPayloadBytes);
            T decoded = codec.decode(payload, message.attributes());
            String key = null;
            if (idempotency != null) {
                key = signedKeyOnly ? IdempotencyKeys.resolveSigned(message, payload, idempotency.keyPointer())
                        : IdempotencyKeys.resolve(message, payload, idempotency.keyPointer());
            }
            // the received bytes are the payload unless they were stored or inflated: no copy on the common path
            Message<T> handed = payload == message.bodyUnsafe() ? Message.of(message, decoded)
                    : Message.of(message, decoded, payload);
            return new Decoded<>(handed, payload, key);
        } catch (DecodingException e) {
            return refused(FailureKind.POISON, e.getClass().getName(), e.getMessage(),
                    ErrorFingerprint.of(e.getClass().getName() + "|" + codec.getClass().getName()), attempt);
        } catch (RuntimeException | StackOverflowError e) {
            // a codec that throws something else still means this body cannot be decoded
            return refused(FailureKind.POISON, e.getClass().getName(), String.valueOf(e.getMessage()),
                    ErrorFingerprint.of(e), attempt);
        }
    }

    private static <T> Result<T> refused(FailureKind kind, String errorType, @Nullable String reason, String fingerprint,
                                         int attempt) {
        return new Refused<>(rejected(kind, errorType, reason, fingerprint, attempt));
    }

    private static Verdict.Rejected rejected(FailureKind kind, String errorType, @Nullable String reason,
                                             String fingerprint, int attempt) {
        return new Verdict.Rejected(kind, errorType, reason, fingerprint, attempt, null);
    }
}
