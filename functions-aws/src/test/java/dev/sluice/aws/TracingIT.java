package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Events;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Traces on AWS (ElasticMQ, the SDK's in-memory exporter): one span per message under the batch's, linked to the
 * producer (W3C {@code traceparent} or the {@code AWSTraceHeader} system attribute); the dead-letter send and the
 * visibility change are child spans of the message's; the dead letter carries the send span as its trace context.
 */
@ExtendWith(Engines.class)
class TracingIT {
    private static final String PRODUCER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    private SqsClient sqs;
    private Queues.Pair queue;

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        queue = Queues.create(sqs, "traced", false, 30, 5);
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        sdk.close();
    }

    /** A record as Lambda delivers it, for a message really in the queue (so visibility changes reach it). */
    private SQSEvent.SQSMessage delivered(String body, Map<String, String> attributes, String traceHeader) {
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body));
        Message received = sqs.receiveMessage(r -> r.queueUrl(queue.url()).maxNumberOfMessages(1).waitTimeSeconds(1)).messages().getFirst();
        SQSEvent.SQSMessage record = Events.record(received.messageId(), body, attributes, queue.arn());
        record.setReceiptHandle(received.receiptHandle());
        if (traceHeader != null) {
            record.getAttributes().put("AWSTraceHeader", traceHeader);
        }
        return record;
    }

    private SpanData span(String messageId) {
        return exporter.getFinishedSpanItems().stream()
                .filter(s -> messageId.equals(s.getAttributes().get(Tracing.MESSAGE_ID))).findFirst().orElseThrow();
    }

    private List<SpanData> children(SpanData parent) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList();
    }

    @Test
    void messageSpans_linkToTheirProducers_andSendsAndVisibilityChangesAreTheirChildren_andTheDeadLetterCarriesTheTrace() {
        SqsBatchConsumer<Order> consumer = SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName(queue.name()).maxAttempts(3).retryBackoff(Duration.ofSeconds(5))
                        .retryBackoffMax(Duration.ofSeconds(5)).build())
                .sqsClient(sqs).metrics(new InMemoryMetrics()).snapStartPriming(false)
                .tracing(Tracing.of(sdk))
                .handler((message, context) -> {
                    if (message.body().orderId().equals("bad")) {
                        throw new PermanentFailureException("rejected");
                    }
                    throw new IllegalStateException("downstream unavailable");
                })
                .build();
        SQSEvent.SQSMessage bad = delivered("{\"orderId\":\"bad\",\"customerId\":\"c\",\"amount\":1}",
                Map.of("traceparent", "00-" + PRODUCER_TRACE + "-00f067aa0ba902b7-01"), null);
        SQSEvent.SQSMessage flaky = delivered("{\"orderId\":\"flaky\",\"customerId\":\"c\",\"amount\":1}", Map.of(),
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");

        consumer.handle(Events.of(bad, flaky), null);

        SpanData badSpan = span(bad.getMessageId());
        SpanData flakySpan = span(flaky.getMessageId());
        assertThat(badSpan.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("aws_sqs");
        assertThat(badSpan.getAttributes().get(Tracing.OUTCOME)).isEqualTo("dead_lettered");
        assertThat(badSpan.getLinks()).singleElement().satisfies(l -> assertThat(l.getSpanContext().getTraceId()).isEqualTo(PRODUCER_TRACE));
        assertThat(flakySpan.getAttributes().get(Tracing.OUTCOME)).isEqualTo("retry");
        assertThat(flakySpan.getLinks()).singleElement()
                .satisfies(l -> assertThat(l.getSpanContext().getTraceId()).isEqualTo("5759e988bd862e3fe1be46a994272793"));
        String dlq = queue.dlqUrl().substring(queue.dlqUrl().lastIndexOf('/') + 1);
        SpanData send = children(badSpan).stream().filter(s -> s.getName().equals("send " + dlq)).findFirst().orElseThrow();
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(children(flakySpan)).extracting(SpanData::getName).contains("change visibility " + queue.name());

        Message deadLetter = sqs.receiveMessage(r -> r.queueUrl(queue.dlqUrl()).messageAttributeNames("All").waitTimeSeconds(1))
                .messages().getFirst();
        String traceparent = dev.sluice.aws.internal.SqsAttributes.toText(
                dev.sluice.aws.internal.SqsAttributes.unpack(deadLetter.messageAttributes())).get("traceparent");
        assertThat(traceparent).startsWith("00-" + send.getTraceId() + "-" + send.getSpanId() + "-");
    }

    @Test
    void aSendIsAProducerSpan_andTheConsumersMessageSpanLinksToIt() {
        // GIVEN a sender and a consumer tracing to the same SDK
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queue.url()).tracing(Tracing.of(sdk)).build();
        SqsBatchConsumer<Order> consumer = SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName(queue.name()).build())
                .sqsClient(sqs).metrics(new InMemoryMetrics()).snapStartPriming(false).tracing(Tracing.of(sdk))
                .handler((message, context) -> { })
                .build();

        // WHEN an order is sent, received and handled
        dev.sluice.core.sender.SendResult result = sender.send(dev.sluice.core.sender.OutboundMessage.builder()
                .body("{\"orderId\":\"o-1\",\"customerId\":\"c\",\"amount\":1}").build());
        Message received = sqs.receiveMessage(r -> r.queueUrl(queue.url()).messageAttributeNames("All").waitTimeSeconds(1))
                .messages().getFirst();
        SQSEvent.SQSMessage record = Events.record(received.messageId(), received.body(),
                dev.sluice.aws.internal.SqsAttributes.toText(dev.sluice.aws.internal.SqsAttributes.unpack(
                        received.messageAttributes())), queue.arn());
        record.setReceiptHandle(received.receiptHandle());
        consumer.handle(Events.of(record), null);

        // THEN the send is one producer span naming the queue and the message, and the message's span links to it
        assertThat(result).isInstanceOf(dev.sluice.core.sender.SendResult.Sent.class);
        SpanData send = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("send " + queue.name()))
                .findFirst().orElseThrow();
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(send.getAttributes().get(Tracing.MESSAGING_SYSTEM)).isEqualTo("aws_sqs");
        assertThat(send.getAttributes().get(Tracing.MESSAGE_ID)).isEqualTo(received.messageId());
        SpanData processed = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() != SpanKind.PRODUCER
                && received.messageId().equals(s.getAttributes().get(Tracing.MESSAGE_ID))).findFirst().orElseThrow();
        assertThat(processed.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(send.getTraceId());
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(send.getSpanId());
        });
    }

    @Test
    void aSendWithAMessageNotSent_endsInError() {
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queue.url()).tracing(Tracing.of(sdk)).build();

        sender.sendAll(List.of(dev.sluice.core.sender.OutboundMessage.builder().body("{}").build(),
                dev.sluice.core.sender.OutboundMessage.builder().body("{}").delay(Duration.ofHours(1)).build()));

        SpanData send = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("send " + queue.name()))
                .findFirst().orElseThrow();
        assertThat(send.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
        assertThat(send.getAttributes().get(dev.sluice.core.sender.SendSpan.FAILED_COUNT)).isEqualTo(1L);
        assertThat(send.getAttributes().get(Tracing.BATCH_MESSAGE_COUNT)).isEqualTo(2L);
    }
}
