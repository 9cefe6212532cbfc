package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendMetrics;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import dev.sluice.core.testing.SenderRoundTrip;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link ServiceBusMessageSender} on the broker model, and the round trip through the Functions batch conversion. */
class ServiceBusMessageSenderTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @Property(tries = 30)
    void aSentMessage_passesTheConsumersChecks(@ForAll("cases") SenderRoundTrip.Case c) {
        // GIVEN a sender configured as the case says
        InMemoryServiceBus bus = new InMemoryServiceBus(Clock.systemUTC())
                .createQueue("orders", InMemoryServiceBus.QueueSettings.defaults());
        ServiceBusMessageSender sender = ServiceBusMessageSender.builder().publisher(bus).queue("orders")
                .envelope(c.envelope()).build();
        // WHEN it sends and the Functions host delivers the message as text (dataType string)
        SendResult result = sender.send(c.outbound());
        assertThat(result).isInstanceOf(SendResult.Sent.class);
        ReceivedMessage received = bus.receive("orders", 10, Duration.ZERO).getFirst();
        ServiceBusBatch batch = ServiceBusBatch.builder()
                .bodies(new String[] {new String(received.body(), StandardCharsets.UTF_8)})
                .messageIds(new String[] {received.messageId()}).deliveryCounts(new int[] {received.deliveryCount()})
                .applicationProperties(List.of(received.applicationProperties()))
                .sessionIds(new String[] {received.sessionId()}).correlationIds(new String[] {received.correlationId()})
                .build();
        // THEN the pipeline accepts it and the handler sees it as sent
        SenderRoundTrip.assertArrivesAsSent(c, result.messageId(), batch.toIncoming("orders").getFirst(), "orders");
    }

    @Provide
    Arbitrary<SenderRoundTrip.Case> cases() {
        return SenderRoundTrip.cases();
    }

    @Test
    void theGroupIsTheSession_theCorrelationIdIsNative_andADelaySchedules() {
        InMemoryServiceBus bus = new InMemoryServiceBus(Clock.fixed(T0, ZoneOffset.UTC))
                .createQueue("orders", InMemoryServiceBus.QueueSettings.withSessions());
        InMemoryMetrics metrics = new InMemoryMetrics();
        ServiceBusMessageSender sender = ServiceBusMessageSender.builder().publisher(bus).queue("orders").metrics(metrics)
                .envelope(Envelope.builder().clock(Clock.fixed(T0, ZoneOffset.UTC)).build()).build();

        SendResult result = sender.send(OutboundMessage.builder().body("{}").groupId("customer-1").correlationId("c-1")
                .delay(Duration.ofMinutes(5)).build());

        assertThat(result).isEqualTo(new SendResult.Sent(result.messageId(), result.messageId()));
        InMemoryServiceBus.Stored stored = bus.messages("orders").getFirst();
        assertThat(stored.message().messageId()).isEqualTo(result.messageId());
        assertThat(stored.message().sessionId()).isEqualTo("customer-1");
        assertThat(stored.message().correlationId()).isEqualTo("c-1");
        assertThat(stored.activeAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        assertThat(metrics.total(SluiceMetrics.SENT, SluiceMetrics.DIM_STATUS, SendMetrics.SENT)).isEqualTo(1);
    }

    @Test
    void aRefusedMessage_failsWithAReason_andTheOthersAreSent() {
        InMemoryServiceBus bus = new InMemoryServiceBus(Clock.systemUTC())
                .createQueue("orders", InMemoryServiceBus.QueueSettings.defaults());
        bus.rejectMessagesWhen((queue, m) -> new String(m.body(), StandardCharsets.UTF_8).equals("bad"));
        ServiceBusMessageSender sender = ServiceBusMessageSender.builder().publisher(bus).queue("orders").build();

        List<SendResult> results = sender.sendAll(List.of(OutboundMessage.builder().body("good").build(),
                OutboundMessage.builder().body("bad").build()));

        assertThat(results.get(0)).isInstanceOf(SendResult.Sent.class);
        assertThat(((SendResult.Failed) results.get(1)).reason()).contains("refused the message for its content");
        assertThat(bus.messages("orders")).extracting(InMemoryServiceBus.Stored::bodyText).containsExactly("good");
        assertThat(bus.sendCalls()).isEqualTo(1);
    }

    @Test
    void aFailedSend_isRetried_thenItsMessagesFail() {
        InMemoryServiceBus bus = new InMemoryServiceBus(Clock.systemUTC())
                .createQueue("orders", InMemoryServiceBus.QueueSettings.defaults());
        AtomicInteger calls = new AtomicInteger();
        bus.failSendsWhen((queue, messages) -> calls.incrementAndGet() == 1);
        ServiceBusMessageSender sender = ServiceBusMessageSender.builder().publisher(bus).queue("orders")
                .retry(SendRetry.immediate(2)).build();

        assertThat(sender.send(OutboundMessage.builder().body("once").build())).isInstanceOf(SendResult.Sent.class);
        assertThat(bus.sendCalls()).isEqualTo(2);

        bus.failSendsWhen((queue, messages) -> true);
        SendResult failed = sender.send(OutboundMessage.builder().body("never").build());
        assertThat(((SendResult.Failed) failed).reason()).contains("injected send failure").contains("after 2 attempts");
    }

    @Test
    void build_namesTheMissingProperty() {
        assertThatThrownBy(() -> ServiceBusMessageSender.builder().queue("q").build()).hasMessageContaining("publisher");
        assertThatThrownBy(() -> ServiceBusMessageSender.builder().publisher((q, m) -> { }).build())
                .hasMessageContaining("queue");
    }
}
