package dev.sluice.core.pipeline;

import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.claimcheck.MissingPayloadException;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.spi.LogSink;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The consumer's side of claim-check: a message whose body points to a stored payload is read from the store before
 * its signature is checked and it is decoded. Its payload is deleted (when configured) only once the adapter has
 * settled the batch with the message a success, never before: a batch the host abandons (a Service Bus session waiting
 * out a retry) comes back whole, and its successes, duplicates then, still find their payloads.
 */
final class StoredPayloads {
    private final @Nullable PayloadStore store;
    private final boolean deleteAfterSuccess;
    private final Telemetry telemetry;
    private final Tracing tracing;

    StoredPayloads(@Nullable PayloadStore store, boolean deleteAfterSuccess, Telemetry telemetry, Tracing tracing) {
        this.store = store;
        this.deleteAfterSuccess = deleteAfterSuccess;
        this.telemetry = telemetry;
        this.tracing = tracing;
    }

    /**
     * @param message a received message
     * @param maxBytes the largest payload accepted
     * @return its body: the stored payload when the message carries a pointer
     * @throws DecodingException when the pointer is bad, names another kind of store, or its object is missing or too
     *     large: the message is poison
     * @throws RuntimeException when the store cannot be reached: the message comes back
     */
    byte[] resolve(IncomingMessage message, int maxBytes) {
        byte[] body = message.bodyUnsafe();
        if (!ClaimCheck.isPointer(message.attributes())) {
            return body;
        }
        PayloadStore payloads = store;
        if (payloads == null) {
            throw new DecodingException("claim-check: the message points to a stored payload (" + ClaimCheck.SIZE_ATTRIBUTE
                    + ") but this consumer has no payload store; set SLUICE_PAYLOAD_STORE");
        }
        PayloadPointer pointer = ClaimCheck.parse(body);
        String signed = message.attributes().get(SluiceAttributes.CLAIM_CHECK);
        if (signed != null && !signed.equals(new String(body, StandardCharsets.UTF_8))) {
            throw new DecodingException("claim-check: the pointer in the body differs from " + SluiceAttributes.CLAIM_CHECK);
        }
        if (pointer.store() != payloads.kind()) {
            throw new DecodingException("claim-check: the payload is in " + pointer.store() + " storage but this consumer"
                    + " reads " + payloads.kind());
        }
        if (!pointer.container().equals(payloads.container())) {
            // a message must not make the consumer read (or delete in) another bucket its role may reach
            throw new DecodingException("claim-check: the payload is in '" + pointer.container() + "' but this consumer"
                    + " reads only '" + payloads.container() + "' (SLUICE_PAYLOAD_STORE)");
        }
        return tracing.inSpan("payload get", () -> payloads.get(pointer, maxBytes))
                .orElseThrow(() -> new MissingPayloadException(pointer));
    }

    /** After the adapter settled a batch: deletes the stored payloads of its successes, when configured. */
    void settled(List<MessageOutcome> outcomes) {
        PayloadStore payloads = store;
        if (payloads == null || !deleteAfterSuccess) {
            return;
        }
        for (MessageOutcome outcome : outcomes) {
            if ((outcome instanceof MessageOutcome.Processed || outcome instanceof MessageOutcome.Duplicate)
                    && ClaimCheck.isPointer(outcome.message().attributes())) {
                delete(payloads, outcome.message());
            }
        }
    }

    private void delete(PayloadStore payloads, IncomingMessage message) {
        try {
            PayloadPointer pointer = ClaimCheck.parse(message.bodyUnsafe());
            tracing.inSpan("payload delete", () -> {
                payloads.delete(pointer);
                return null;
            });
        } catch (RuntimeException e) {
            // the message succeeded; an object left behind is only storage, and the bucket's lifecycle rule ends it
            telemetry.log(LogSink.Level.WARN, "stored payload could not be deleted after success; it stays until the"
                    + " store's lifecycle rule removes it", Telemetry.fields(message, "payload_delete"), e);
        }
    }
}
