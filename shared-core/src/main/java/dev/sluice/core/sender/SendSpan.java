package dev.sluice.core.sender;

import dev.sluice.core.observability.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.function.Supplier;

/**
 * The producer span around one send, the same for every provider: {@code send <queue>}, kind {@code PRODUCER}, with
 * the messaging attributes and the count of messages. It is current while the messages are sealed, so each carries it
 * as {@code traceparent} and its consumer's span links to it. A send with a message not sent ends in error status.
 */
public final class SendSpan {
    /** How many messages of the send failed. */
    public static final AttributeKey<Long> FAILED_COUNT = AttributeKey.longKey("sluice.failed_count");

    private SendSpan() {}

    /**
     * @param tracing where the span goes ({@link Tracing#global()} unless the sender was given another)
     * @param system the messaging system: {@code aws_sqs}, {@code servicebus}
     * @param queue the queue sent to
     * @param messages how many messages the send holds
     * @param send the send
     * @return its results
     */
    public static List<SendResult> around(Tracing tracing, String system, String queue, int messages,
                                          Supplier<List<SendResult>> send) {
        Span span = tracing.tracer().spanBuilder("send " + queue).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(Tracing.MESSAGING_SYSTEM, system).setAttribute(Tracing.DESTINATION, queue)
                .setAttribute(Tracing.OPERATION_TYPE, "send").setAttribute(Tracing.OPERATION_NAME, "send")
                .setAttribute(Tracing.BATCH_MESSAGE_COUNT, (long) messages).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            List<SendResult> results = send.get();
            long failed = results.stream().filter(r -> r instanceof SendResult.Failed).count();
            if (results.size() == 1 && results.getFirst() instanceof SendResult.Sent sent) {
                span.setAttribute(Tracing.MESSAGE_ID, sent.providerMessageId());
            }
            if (failed > 0) {
                span.setAttribute(FAILED_COUNT, failed);
                span.setStatus(StatusCode.ERROR, failed + " of " + results.size() + " messages not sent");
            }
            return results;
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
