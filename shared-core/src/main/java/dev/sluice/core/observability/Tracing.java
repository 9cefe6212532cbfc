package dev.sluice.core.observability;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sluice's tracing, on the OpenTelemetry API only: without an SDK or agent every call is a no-op. With the AWS Distro
 * for OpenTelemetry Lambda layer or the Azure Monitor OpenTelemetry distro, the global {@link OpenTelemetry} they
 * register is used. Spans follow the OpenTelemetry messaging semantic conventions; the producer's context is read
 * from a message's W3C {@value #TRACEPARENT} attribute, else its Service Bus {@value #DIAGNOSTIC_ID}, else the SQS
 * {@code AWSTraceHeader} system attribute (X-Ray's format), and every message Sluice sends carries the current
 * context as {@value #TRACEPARENT} (and {@value #TRACESTATE}).
 */
public final class Tracing {
    /** The instrumentation scope of Sluice's spans. */
    public static final String INSTRUMENTATION_SCOPE = "dev.sluice";
    /** The W3C trace context attribute. */
    public static final String TRACEPARENT = "traceparent";
    /** The W3C trace state attribute. */
    public static final String TRACESTATE = "tracestate";
    /** The Service Bus diagnostic id application property (W3C traceparent format). */
    public static final String DIAGNOSTIC_ID = "Diagnostic-Id";

    /** {@code messaging.system}: {@code aws_sqs} or {@code servicebus}. */
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    /** {@code messaging.destination.name}: the queue. */
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    /** {@code messaging.message.id}. */
    public static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    /** {@code messaging.message.conversation_id}: the FIFO group or the session. */
    public static final AttributeKey<String> CONVERSATION_ID = AttributeKey.stringKey("messaging.message.conversation_id");
    /** {@code messaging.operation.type}: {@code process}, {@code send}, {@code settle}. */
    public static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    /** {@code messaging.operation.name}. */
    public static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    /** {@code messaging.batch.message_count}. */
    public static final AttributeKey<Long> BATCH_MESSAGE_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    /** The delivery count (SQS ApproximateReceiveCount, Service Bus DeliveryCount). */
    public static final AttributeKey<Long> DELIVERY_COUNT = AttributeKey.longKey("messaging.message.delivery_count");
    /** How the message ended: {@code processed}, {@code duplicate}, {@code retry}, {@code dead_lettered}. */
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("sluice.outcome");
    /** The failure kind of a retry or dead letter. */
    public static final AttributeKey<String> FAILURE_KIND = AttributeKey.stringKey("sluice.failure_kind");
    /** The attempt the handler ran as. */
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("sluice.attempt");

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private static final Tracing NOOP = new Tracing(OpenTelemetry.noop());

    private final Tracer tracer;

    private Tracing(OpenTelemetry openTelemetry) {
        this.tracer = Objects.requireNonNull(openTelemetry, "openTelemetry").getTracer(INSTRUMENTATION_SCOPE);
    }

    /** @param openTelemetry an SDK (tests) or the one an agent registered @return tracing on it */
    public static Tracing of(OpenTelemetry openTelemetry) {
        return new Tracing(openTelemetry);
    }

    /** @return tracing on the global OpenTelemetry (an agent's or layer's; a no-op when none is registered) */
    public static Tracing global() {
        return new Tracing(GlobalOpenTelemetry.get());
    }

    /** @return tracing that records nothing */
    public static Tracing noop() {
        return NOOP;
    }

    /** @return the tracer, for spans this class does not build */
    public Tracer tracer() {
        return tracer;
    }

    /**
     * Starts a span for work Sluice does for one message after its processing: a dead-letter send, a re-publish, a
     * visibility change, a redriven copy.
     *
     * @param parent the message's span context (invalid for none: the current context is the parent)
     * @param name the span name, e.g. {@code send orders-dlq}
     * @param kind {@link SpanKind#PRODUCER} for a send, {@link SpanKind#CLIENT} otherwise
     * @param system the messaging system
     * @param destination the queue the operation addresses
     * @param operationType {@code send} or {@code settle}
     * @return the started span; end it
     */
    public Span startChild(SpanContext parent, String name, SpanKind kind, String system, String destination, String operationType) {
        Context context = parent.isValid() ? Context.current().with(Span.wrap(parent)) : Context.current();
        return tracer.spanBuilder(name).setParent(context).setSpanKind(kind)
                .setAttribute(MESSAGING_SYSTEM, system).setAttribute(DESTINATION, destination)
                .setAttribute(OPERATION_TYPE, operationType).startSpan();
    }

    /**
     * Runs {@code work} in a child span of the current context (an idempotency store call, ...).
     *
     * @param name the span name
     * @param work the work
     * @param <T> its result
     * @return its result
     */
    public <T> T inSpan(String name, Supplier<T> work) {
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    /**
     * The producer's context of a received message.
     *
     * @param attributes the message's attributes or application properties
     * @param awsTraceHeader the SQS {@code AWSTraceHeader} system attribute, or null
     * @return the producer's span context; invalid when the message carries none
     */
    public static SpanContext producerContext(Map<String, String> attributes, @Nullable String awsTraceHeader) {
        SpanContext w3c = w3c(attributes);
        if (w3c.isValid()) {
            return w3c;
        }
        String diagnosticId = attributes.get(DIAGNOSTIC_ID);
        if (diagnosticId != null) {
            SpanContext fromDiagnosticId = w3c(Map.of(TRACEPARENT, diagnosticId));
            if (fromDiagnosticId.isValid()) {
                return fromDiagnosticId;
            }
        }
        return awsTraceHeader == null ? SpanContext.getInvalid() : xRay(awsTraceHeader);
    }

    private static SpanContext w3c(Map<String, String> carrier) {
        if (!carrier.containsKey(TRACEPARENT)) {
            return SpanContext.getInvalid();
        }
        Context extracted = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER);
        return Span.fromContext(extracted).getSpanContext();
    }

    /**
     * @param header an X-Ray trace header, e.g. {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}
     * @return its span context; invalid when the header is not one
     */
    static SpanContext xRay(String header) {
        String root = null;
        String parent = null;
        boolean sampled = false;
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            switch (key) {
                case "Root" -> root = value;
                case "Parent" -> parent = value;
                case "Sampled" -> sampled = "1".equals(value);
                default -> { }
            }
        }
        if (root == null || parent == null) {
            return SpanContext.getInvalid();
        }
        String[] pieces = root.split("-");
        if (pieces.length != 3 || !pieces[0].equals("1")) {
            return SpanContext.getInvalid();
        }
        String traceId = (pieces[1] + pieces[2]).toLowerCase(Locale.ROOT);
        String spanId = parent.toLowerCase(Locale.ROOT);
        if (!TraceId.isValid(traceId) || !io.opentelemetry.api.trace.SpanId.isValid(spanId)) {
            return SpanContext.getInvalid();
        }
        return SpanContext.createFromRemoteParent(traceId, spanId, sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault());
    }

    /**
     * Writes the current context into the attributes of a message Sluice sends, replacing the producer's: the copy's
     * consumer then continues this trace. Nothing changes when no span is active (no SDK, no agent).
     *
     * @param attributes the outgoing message's attributes, modified in place
     */
    public static void inject(Map<String, String> attributes) {
        if (!Span.current().getSpanContext().isValid()) {
            return;
        }
        attributes.remove(TRACESTATE);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), attributes, Map::put);
    }
}
