package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.testing.RecordingLogSink;
import dev.sluice.core.testing.TestMessages.Order;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pipeline's spans on the OpenTelemetry SDK's in-memory exporter. */
class TracingTest {
    private static final String PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCER_SPAN = "00f067aa0ba902b7";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    private final RecordingLogSink logs = new RecordingLogSink();
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

    @AfterEach
    void close() {
        sdk.close();
    }

    private BatchProcessor<Order> processor() {
        return BatchProcessor.<Order>builder().queueName(QUEUE).codec(JsonCodec.of(Order.class)).logSink(logs)
                .tracing(Tracing.of(sdk))
                .idempotency(IdempotencyOptions.builder().store(store).lease(Duration.ofMinutes(1)).ttl(Duration.ofDays(1)).build())
                .handler((message, context) -> {
                    if (message.body().orderId().equals("bad")) {
                        throw new PermanentFailureException("rejected");
                    }
                    Span own = sdk.getTracer("user").spanBuilder("charge card").startSpan();
                    own.end();
                    context.logger().info("charged");
                })
                .build();
    }

    private static IncomingMessage message(String id, String group, Map<String, String> attributes, String traceHeader) {
        return IncomingMessage.builder().providerMessageId(id).body(orderJson(id, 100)).groupKey(group).attributes(attributes)
                .sourceQueue(QUEUE).deliveryCount(2).traceHeader(traceHeader).build();
    }

    private SpanData span(String messageId) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> messageId.equals(s.getAttributes().get(Tracing.MESSAGE_ID))).findFirst().orElseThrow();
    }

    @Test
    void aBatch_hasOneSpan_andOneSpanPerMessage_underIt_linkedToEachProducer() {
        List<IncomingMessage> batch = List.of(
                message("w3c", "customer-1", Map.of("traceparent", "00-" + PRODUCER_TRACE + "-" + PRODUCER_SPAN + "-01"), null),
                message("xray", null, Map.of(), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
                message("diag", null, Map.of("Diagnostic-Id", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), null),
                message("none", null, Map.of(), null));

        BatchResult result = processor().process(batch, Instant.MAX, "aws_sqs");

        SpanData batchSpan = exporter.getFinishedSpanItems().stream().filter(s -> s.getAttributes().get(Tracing.MESSAGE_ID) == null
                && s.getName().equals("process " + QUEUE)).findFirst().orElseThrow();
        assertThat(batchSpan.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(batchSpan.getAttributes().get(Tracing.BATCH_MESSAGE_COUNT)).isEqualTo(4L);
        assertThat(batchSpan.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("aws_sqs");
        for (String id : List.of("w3c", "xray", "diag", "none")) {
            SpanData s = span(id);
            assertThat(s.getParentSpanId()).as("%s under the batch span", id).isEqualTo(batchSpan.getSpanId());
            assertThat(s.getAttributes().get(Tracing.DESTINATION)).isEqualTo(QUEUE);
            assertThat(s.getAttributes().get(Tracing.OPERATION_TYPE)).isEqualTo("process");
            assertThat(s.getAttributes().get(Tracing.DELIVERY_COUNT)).isEqualTo(2L);
            assertThat(s.getAttributes().get(Tracing.OUTCOME)).isEqualTo("processed");
        }
        assertThat(span("w3c").getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(PRODUCER_TRACE);
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(PRODUCER_SPAN);
        });
        assertThat(span("w3c").getAttributes().get(Tracing.CONVERSATION_ID)).isEqualTo("customer-1");
        assertThat(span("xray").getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo("5759e988bd862e3fe1be46a994272793");
            assertThat(link.getSpanContext().getSpanId()).isEqualTo("53995c3f42cd8ad8");
            assertThat(link.getSpanContext().isSampled()).isTrue();
        });
        assertThat(span("diag").getLinks()).singleElement()
                .satisfies(link -> assertThat(link.getSpanContext().getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c"));
        assertThat(span("none").getLinks()).isEmpty();
        // the adapters parent their sends on these
        assertThat(result.spanContexts()).extracting(c -> c.getSpanId())
                .containsExactly(span("w3c").getSpanId(), span("xray").getSpanId(), span("diag").getSpanId(), span("none").getSpanId());
    }

    @Test
    void storeCalls_andTheHandlersOwnSpans_areChildrenOfTheMessageSpan_andItsLogLinesCarryItsIds() {
        processor().process(List.of(message("o-1", null, Map.of(), null)), Instant.MAX, "servicebus");

        SpanData messageSpan = span("o-1");
        List<SpanData> children = exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getParentSpanId().equals(messageSpan.getSpanId())).toList();
        assertThat(children).extracting(SpanData::getName).contains("idempotency begin", "idempotency complete", "charge card");
        assertThat(logs.events).filteredOn(e -> e.message().equals("charged")).singleElement().satisfies(e -> {
            assertThat(e.fields()).containsEntry("trace_id", messageSpan.getTraceId()).containsEntry("span_id", messageSpan.getSpanId());
        });
    }

    @Test
    void aDeadLetter_recordsItsOutcomeKindAndAttempt_asAnError() {
        processor().process(List.of(message("bad", null, Map.of(), null)), Instant.MAX, "aws_sqs");

        SpanData s = span("bad");
        assertThat(s.getAttributes().get(Tracing.OUTCOME)).isEqualTo("dead_lettered");
        assertThat(s.getAttributes().get(Tracing.FAILURE_KIND)).isEqualTo("PERMANENT");
        // the store counts executions per message: the first execution is attempt 1, whatever the delivery count
        assertThat(s.getAttributes().get(Tracing.ATTEMPT)).isEqualTo(1L);
        assertThat(s.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    }

    @Test
    void withoutAnSdk_nothingIsRecorded_andLogLinesCarryNoTraceIds() {
        BatchProcessor<Order> untraced = BatchProcessor.<Order>builder().queueName(QUEUE).codec(JsonCodec.of(Order.class))
                .logSink(logs).tracing(Tracing.noop()).handler((m, c) -> c.logger().info("charged")).build();

        BatchResult result = untraced.process(List.of(message("o-1", null, Map.of(), null)), Instant.MAX, "aws_sqs");

        assertThat(result.spanContexts()).singleElement().satisfies(c -> assertThat(c.isValid()).isFalse());
        assertThat(logs.events).filteredOn(e -> e.message().equals("charged")).singleElement()
                .satisfies(e -> assertThat(e.fields()).doesNotContainKeys("trace_id", "span_id"));
    }

    @Test
    void inject_writesTheCurrentContext_replacingTheProducers() {
        Span span = sdk.getTracer("t").spanBuilder("send").startSpan();
        Map<String, String> attributes = new java.util.HashMap<>(Map.of("traceparent", "00-" + PRODUCER_TRACE + "-" + PRODUCER_SPAN + "-01"));
        try (var ignored = span.makeCurrent()) {
            Tracing.inject(attributes);
        } finally {
            span.end();
        }
        assertThat(attributes.get("traceparent")).startsWith("00-" + span.getSpanContext().getTraceId() + "-"
                + span.getSpanContext().getSpanId() + "-");

        Map<String, String> untouched = new java.util.HashMap<>(Map.of("traceparent", "00-" + PRODUCER_TRACE + "-" + PRODUCER_SPAN + "-01"));
        Tracing.inject(untouched);
        assertThat(untouched.get("traceparent")).contains(PRODUCER_TRACE);
    }

    @Test
    void anXRayHeaderThatIsNotOne_givesNoContext() {
        assertThat(Tracing.producerContext(Map.of(), "Root=1-zz;Parent=53995c3f42cd8ad8").isValid()).isFalse();
        assertThat(Tracing.producerContext(Map.of(), "garbage").isValid()).isFalse();
        assertThat(Tracing.producerContext(Map.of("traceparent", "not-a-traceparent"), null).isValid()).isFalse();
    }
}
