package dev.sluice.azure;

import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.spi.LogSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sends the Service Bus consumer's copies (re-published retries, parked dead letters) and ends their send spans;
 * a failure becomes a {@link RepublishException}, so the host redelivers the batch.
 */
final class CopySender {
    private final MessagePublisher publisher;
    private final StructuredLog log;

    CopySender(MessagePublisher publisher, StructuredLog log) {
        this.publisher = publisher;
        this.log = log;
    }

    void sendTraced(String queue, List<OutgoingMessage> copies, String operation, Map<String, OutgoingMessage> fallbacks,
                            List<Span> spans) {
        try {
            send(queue, copies, operation, fallbacks);
        } catch (RuntimeException e) {
            spans.forEach(span -> span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName()));
            throw e;
        } finally {
            spans.forEach(Span::end);
        }
    }

    /**
     * Sends {@code copies}; those Service Bus refuses for their content are sent again as their entry in
     * {@code fallbacks} (a dead letter's minimal envelope), and without one the batch is redelivered.
     */
    private void send(String queue, List<OutgoingMessage> copies, String operation, Map<String, OutgoingMessage> fallbacks) {
        if (copies.isEmpty()) {
            return;
        }
        try {
            publisher.publish(queue, copies);
        } catch (MessageRejectedException e) {
            List<OutgoingMessage> again = e.rejectedMessageIds().stream().map(fallbacks::get).filter(Objects::nonNull).toList();
            if (again.size() < e.rejectedMessageIds().size()) {
                throw failed(queue, copies.size(), operation, e);
            }
            log.log(LogSink.Level.WARN, "copies refused for their content; sending them again with the minimal envelope",
                    Map.of("operation", operation, "target_queue", queue, "refused", again.size()), null);
            send(queue, again, operation, Map.of());
        } catch (RuntimeException e) {
            throw failed(queue, copies.size(), operation, e);
        }
    }

    private RepublishException failed(String queue, int unsent, String operation, RuntimeException e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("operation", operation);
        fields.put("target_queue", queue);
        fields.put("unsent", unsent);
        log.log(LogSink.Level.ERROR, "re-publish failed; throwing so the host redelivers the batch", fields, e);
        return new RepublishException(queue, unsent, e);
    }
}
