package dev.sluice.core.pipeline;

import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

/**
 * The pipeline's spans: one per batch ({@code process <queue>}, consumer), one per message under it, linked to the
 * producer's context, with the messaging semantic conventions' attributes and Sluice's outcome, failure kind and
 * attempt. Idempotency store calls are child spans of the message's ({@link IdempotencyGuard}).
 */
final class Traces {
    private final Tracing tracing;
    private final String queueName;

    Traces(Tracing tracing, String queueName) {
        this.tracing = tracing;
        this.queueName = queueName;
    }

    Tracing tracing() {
        return tracing;
    }

    Span startBatch(String system, int size) {
        return tracing.tracer().spanBuilder("process " + queueName).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(Tracing.MESSAGING_SYSTEM, system)
                .setAttribute(Tracing.DESTINATION, queueName)
                .setAttribute(Tracing.OPERATION_TYPE, "process")
                .setAttribute(Tracing.OPERATION_NAME, "process")
                .setAttribute(Tracing.BATCH_MESSAGE_COUNT, (long) size)
                .startSpan();
    }

    Span startMessage(String system, IncomingMessage message, Context batch) {
        var builder = tracing.tracer().spanBuilder("process " + message.sourceQueue()).setSpanKind(SpanKind.CONSUMER)
                .setParent(batch)
                .setAttribute(Tracing.MESSAGING_SYSTEM, system)
                .setAttribute(Tracing.DESTINATION, message.sourceQueue())
                .setAttribute(Tracing.OPERATION_TYPE, "process")
                .setAttribute(Tracing.OPERATION_NAME, "process")
                .setAttribute(Tracing.MESSAGE_ID, message.providerMessageId())
                .setAttribute(Tracing.DELIVERY_COUNT, (long) message.deliveryCount());
        message.groupKey().ifPresent(group -> builder.setAttribute(Tracing.CONVERSATION_ID, group));
        SpanContext producer = Tracing.producerContext(message.attributes(), message.traceHeader().orElse(null));
        if (producer.isValid()) {
            builder.addLink(producer);
        }
        return builder.startSpan();
    }

    /** Records how the message ended on its span and ends it. */
    static void end(Span span, MessageOutcome outcome) {
        switch (outcome) {
            case Processed p -> span.setAttribute(Tracing.OUTCOME, "processed");
            case Duplicate d -> span.setAttribute(Tracing.OUTCOME, "duplicate");
            case Retry r -> {
                span.setAttribute(Tracing.OUTCOME, "retry");
                span.setAttribute(Tracing.FAILURE_KIND, r.reason().name());
                span.setAttribute(Tracing.ATTEMPT, (long) r.attemptsUsed());
                span.setStatus(StatusCode.ERROR, "retry: " + r.reason().name());
            }
            case DeadLettered d -> {
                span.setAttribute(Tracing.OUTCOME, "dead_lettered");
                span.setAttribute(Tracing.FAILURE_KIND, d.kind().name());
                span.setAttribute(Tracing.ATTEMPT, (long) d.envelope().attempts());
                span.setStatus(StatusCode.ERROR, d.kind().name());
            }
        }
        span.end();
    }
}
