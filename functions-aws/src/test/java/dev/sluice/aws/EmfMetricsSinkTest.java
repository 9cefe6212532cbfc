package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.observability.SluiceMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmfMetricsSinkTest {
    private final List<String> lines = new ArrayList<>();
    private final EmfMetricsSink sink = new EmfMetricsSink("Sluice", lines::add,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void aBatch_isWrittenAsOneEmfLinePerDimensionSet_onFlush() throws Exception {
        // GIVEN counts and durations recorded during a batch
        Map<String, String> queue = Map.of("queue", "orders");
        sink.count(SluiceMetrics.RECEIVED, 1, queue);
        sink.count(SluiceMetrics.RECEIVED, 1, queue);
        sink.duration(SluiceMetrics.HANDLER_DURATION, Duration.ofMillis(250), queue);
        sink.count(SluiceMetrics.DEAD_LETTERED, 1, Map.of("queue", "orders", "failure_kind", "POISON"));
        assertThat(lines).as("nothing is written before the flush").isEmpty();
        // WHEN the batch ends
        sink.flush();
        // THEN two CloudWatch EMF lines: one per dimension set, counters summed, durations in seconds
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.at("/_aws/Timestamp").asLong()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
        assertThat(first.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("Sluice");
        assertThat(first.at("/_aws/CloudWatchMetrics/0/Dimensions/0/0").asText()).isEqualTo("queue");
        assertThat(first.get("queue").asText()).isEqualTo("orders");
        assertThat(first.get(SluiceMetrics.RECEIVED).asLong()).isEqualTo(2);
        assertThat(first.get(SluiceMetrics.HANDLER_DURATION).get(0).asDouble()).isEqualTo(0.25);
        assertThat(first.at("/_aws/CloudWatchMetrics/0/Metrics").toString()).contains("\"Unit\":\"Seconds\"").contains("\"Unit\":\"Count\"");
        JsonNode second = new ObjectMapper().readTree(lines.get(1));
        assertThat(second.get("failure_kind").asText()).isEqualTo("POISON");
        // AND the next flush starts empty
        sink.flush();
        assertThat(lines).hasSize(2);
    }
}
