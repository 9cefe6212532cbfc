package dev.sluice.azure;

import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The copies of a dead letter sent to the parking queue: the full one with the dead-letter envelope (whose
 * texts the core already made safe for every provider), and the minimal one sent when Service Bus refuses
 * the full one.
 */
final class ParkedCopies {
    private ParkedCopies() {}

    /**
     * @param dead the outcome
     * @param contentType the message's content type, or null
     * @return the copy with the message's properties and the whole envelope
     */
    static OutgoingMessage full(MessageOutcome.DeadLettered dead, @Nullable String contentType) {
        Map<String, String> properties = new LinkedHashMap<>(dead.message().attributes());
        properties.putAll(dead.envelope().toAttributes());
        return copy(dead.message(), properties, contentType);
    }

    /**
     * @param dead the outcome
     * @param contentType the message's content type, or null
     * @return the copy with the message's properties, without failure descriptions from an earlier life, and
     *     the minimal envelope (failure kind, stable id, attempts)
     */
    static OutgoingMessage minimal(MessageOutcome.DeadLettered dead, @Nullable String contentType) {
        Map<String, String> properties = new LinkedHashMap<>(dead.message().attributes());
        properties.keySet().removeAll(SluiceAttributes.FAILURE_ATTRIBUTES);
        properties.putAll(dead.envelope().toMinimalAttributes());
        return copy(dead.message(), properties, contentType);
    }

    private static OutgoingMessage copy(IncomingMessage message, Map<String, String> properties, @Nullable String contentType) {
        // the copy continues the current trace (the park's send span), when one is active
        Tracing.inject(properties);
        return new OutgoingMessage(UUID.randomUUID().toString(), message.body(), properties,
                message.groupKey().orElse(null), message.correlationId().orElse(null), contentType, null);
    }
}
