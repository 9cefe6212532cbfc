package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.RetryPolicy;
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

/**
 * Traces and session metrics on Azure (the broker model, the SDK's in-memory exporter): message spans linked to the producer's
 * {@code Diagnostic-Id}, the re-publish and the park as child send spans, and the copies carrying those spans as
 * their {@code traceparent}, so the next consumer continues the trace.
 */
class ServiceBusObservabilityTest {
    record Item(String id) {}

    private static final String PRODUCER_TRACE = "0af7651916cd43dd8448eb211c80319c";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryServiceBus broker = new InMemoryServiceBus(clock);

    @AfterEach
    void close() {
        sdk.close();
    }

    private SpanData span(String messageId) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> messageId.equals(s.getAttributes().get(Tracing.MESSAGE_ID))).findFirst().orElseThrow();
    }

    private SpanData child(SpanData parent, String name) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getParentSpanId().equals(parent.getSpanId()) && s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void copiesCarryTheirSendSpan_underTheMessageSpan_linkedToTheProducer() {
        broker.createQueue("items", InMemoryServiceBus.QueueSettings.defaults());
        broker.createQueue("items-parking", InMemoryServiceBus.QueueSettings.defaults());
        Tracing tracing = Tracing.of(sdk);
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder().queueName("items").codec(JsonCodec.of(Item.class))
                .retryPolicy(RetryPolicy.exponential(3, Duration.ofSeconds(10), Duration.ofSeconds(10))).clock(clock)
                .tracing(tracing)
                .handler((m, c) -> {
                    if (m.body().id().equals("bad")) {
                        throw new PermanentFailureException("rejected");
                    }
                    throw new IllegalStateException("downstream 503");
                })
                .build();
        ServiceBusBatchConsumer<Item> consumer = ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(broker)
                .clock(clock).tracing(tracing).build();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, Object>[] properties = new Map[] {
            Map.of("Diagnostic-Id", "00-" + PRODUCER_TRACE + "-b7ad6b7169203331-01"), Map.of()};
        ServiceBusBatch batch = ServiceBusBatch.builder().bodies(new String[] {"{\"id\":\"bad\"}", "{\"id\":\"flaky\"}"})
                .messageIds(new String[] {"m-bad", "m-flaky"}).deliveryCounts(new int[] {1, 1})
                .sessionIds(new String[] {"s-1", "s-2"}).correlationIds(new String[] {"c-1", "c-2"}).applicationProperties(properties).build();

        consumer.process(batch);

        SpanData bad = span("m-bad");
        SpanData flaky = span("m-flaky");
        assertThat(bad.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("servicebus");
        assertThat(bad.getAttributes().get(Tracing.CONVERSATION_ID)).isEqualTo("s-1");
        assertThat(bad.getLinks()).singleElement().satisfies(l -> assertThat(l.getSpanContext().getTraceId()).isEqualTo(PRODUCER_TRACE));
        SpanData park = child(bad, "send items-parking");
        SpanData republish = child(flaky, "send items");
        assertThat(park.getKind()).isEqualTo(SpanKind.PRODUCER);
        List<InMemoryServiceBus.Stored> parked = broker.messages("items-parking");
        assertThat(parked).singleElement().satisfies(s -> assertThat(s.properties().get("traceparent"))
                .startsWith("00-" + park.getTraceId() + "-" + park.getSpanId() + "-"));
        assertThat(broker.messages("items")).singleElement().satisfies(s -> assertThat(s.properties().get("traceparent"))
                .startsWith("00-" + republish.getTraceId() + "-" + republish.getSpanId() + "-"));
    }

    @Test
    void sessionMetrics_countTheSessionsOfABatch_andThoseARetryBlocks() {
        broker.createQueue("items", InMemoryServiceBus.QueueSettings.defaults());
        dev.sluice.core.observability.InMemoryMetrics metrics = new dev.sluice.core.observability.InMemoryMetrics();
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder().queueName("items").codec(JsonCodec.of(Item.class))
                .clock(clock).tracing(Tracing.noop())
                .handler((m, c) -> {
                    if (m.body().id().equals("flaky")) {
                        throw new IllegalStateException("downstream 503");
                    }
                })
                .build();
        ServiceBusBatchConsumer<Item> consumer = ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(broker)
                .clock(clock).metrics(metrics).build();
        ServiceBusBatch batch = ServiceBusBatch.builder()
                .bodies(new String[] {"{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"flaky\"}"})
                .messageIds(new String[] {"m-1", "m-2", "m-3"}).deliveryCounts(new int[] {1, 1, 1})
                .sessionIds(new String[] {"s-1", "s-1", "s-2"}).build();

        consumer.process(batch);

        assertThat(metrics.total(dev.sluice.core.observability.SluiceMetrics.SESSIONS_PROCESSED)).isEqualTo(2);
        assertThat(metrics.total(dev.sluice.core.observability.SluiceMetrics.SESSIONS_BLOCKED)).isEqualTo(1);
    }

    @Test
    void aSendIsAProducerSpan_andTheConsumersMessageSpanLinksToIt() {
        // GIVEN a sender and a consumer tracing to the same SDK, on the broker model through the host simulator
        broker.createQueue("items", InMemoryServiceBus.QueueSettings.defaults());
        Tracing tracing = Tracing.of(sdk);
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder().queueName("items").codec(JsonCodec.of(Item.class))
                .clock(clock).tracing(tracing).handler((m, c) -> { }).build();
        ServiceBusBatchConsumer<Item> consumer = ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(broker)
                .clock(clock).tracing(tracing).build();
        dev.sluice.azure.testing.FunctionsHostSimulator host =
                new dev.sluice.azure.testing.FunctionsHostSimulator(broker, clock, "items", false, 8, consumer::process);
        ServiceBusMessageSender sender = ServiceBusMessageSender.builder().publisher(broker).queue("items")
                .tracing(tracing).build();

        // WHEN an item is sent and handled
        dev.sluice.core.sender.SendResult sent = sender.send(dev.sluice.core.sender.OutboundMessage.builder()
                .body("{\"id\":\"i-1\"}").build());
        host.runUntilIdle(5);

        // THEN the send is one producer span, and the message's span links to it
        String messageId = ((dev.sluice.core.sender.SendResult.Sent) sent).providerMessageId();
        SpanData send = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("send items"))
                .findFirst().orElseThrow();
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("servicebus");
        SpanData processed = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() != SpanKind.PRODUCER
                && messageId.equals(s.getAttributes().get(Tracing.MESSAGE_ID))).findFirst().orElseThrow();
        assertThat(processed.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(send.getTraceId());
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(send.getSpanId());
        });
    }
}
