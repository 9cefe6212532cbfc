package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.aws.testing.Events;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.spi.LogSink;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

class LambdaJsonLogSinkTest {

    @Test
    void aDeadLetteredMessage_isLoggedAsOneJsonLineWithTheDesignFields_andNoBody() throws Exception {
        // GIVEN a consumer logging JSON lines, and a message whose body (with an e-mail address) does not decode
        List<String> lines = new ArrayList<>();
        LambdaJsonLogSink logs = new LambdaJsonLogSink(LogSink.Level.INFO, lines::add, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        try (SqsClient unreachable = SqsClient.builder().region(Region.US_EAST_1)
                .endpointOverride(java.net.URI.create("http://127.0.0.1:1"))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            SqsBatchConsumer<Object> consumer = SqsBatchConsumer.builder(Object.class)
                    .config(SluiceConfig.builder().queueName("orders").build())
                    .sqsClient(unreachable).handler((m, c) -> { }).logSink(logs)
                    .metrics(dev.sluice.core.spi.MetricsSink.NOOP).snapStartPriming(false).build();
            // WHEN it is handled
            consumer.outcomes(Events.of(Events.record("m-1", "{\"email\": \"jane@example.com\"", Map.of("correlation-id", "c-9"))),
                    Instant.MAX);
        }
        // THEN one line names queue, message, correlation id, operation, delivery count and failure kind
        assertThat(lines).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(lines.getFirst());
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.get("queue_name").asText()).isEqualTo("orders");
        assertThat(line.get("message_id").asText()).isEqualTo("m-1");
        assertThat(line.get("correlation_id").asText()).isEqualTo("c-9");
        assertThat(line.get("operation").asText()).isEqualTo("dead_letter");
        assertThat(line.get("delivery_count").asInt()).isEqualTo(1);
        assertThat(line.get("failure_kind").asText()).isEqualTo("POISON");
        assertThat(lines.getFirst()).doesNotContain("jane@example.com");
    }

    @Test
    void levelsBelowTheMinimum_areNotWritten() {
        List<String> lines = new ArrayList<>();
        LambdaJsonLogSink logs = new LambdaJsonLogSink(LogSink.Level.WARN, lines::add, Clock.systemUTC());
        logs.emit(new LogSink.Event(LogSink.Level.INFO, "hello", Map.of()));
        logs.emit(new LogSink.Event(LogSink.Level.ERROR, "broken", Map.of()));
        assertThat(lines).singleElement().asString().contains("\"broken\"");
    }
}
