package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.IncomingMessage;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline's metrics reach OpenTelemetry with their DESIGN names and the {@code queue} dimension. */
class OpenTelemetryMetricsTest {
    record Item(String id) {}

    @Test
    void pipelineMetrics_areRecordedAsOpenTelemetryCountersAndHistograms() {
        // GIVEN a pipeline reporting through OpenTelemetry
        InMemoryMetricReader reader = InMemoryMetricReader.create();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build()).build()) {
            BatchProcessor<Item> processor = BatchProcessor.<Item>builder().queueName("orders")
                    .handler((m, c) -> {
                        if (m.body().id().equals("bad")) {
                            throw new PermanentFailureException("no");
                        }
                    })
                    .codec(JsonCodec.of(Item.class))
                    .metrics(OpenTelemetryMetrics.of(otel))
                    .build();

            // WHEN a batch with a good and a permanently failing message runs
            processor.process(List.of(message("1", "{\"id\":\"ok\"}"), message("2", "{\"id\":\"bad\"}")), Instant.MAX);

            // THEN received, completed and dead-lettered counts and the handler duration are exported
            Collection<MetricData> metrics = reader.collectAllMetrics();
            assertThat(sum(metrics, SluiceMetrics.RECEIVED)).isEqualTo(2);
            assertThat(sum(metrics, SluiceMetrics.COMPLETED)).isEqualTo(1);
            assertThat(sum(metrics, SluiceMetrics.DEAD_LETTERED)).isEqualTo(1);
            assertThat(metrics).filteredOn(m -> m.getName().equals(SluiceMetrics.HANDLER_DURATION))
                    .singleElement().satisfies(m -> assertThat(m.getUnit()).isEqualTo("s"));
            assertThat(metrics).filteredOn(m -> m.getName().equals(SluiceMetrics.DEAD_LETTERED))
                    .flatExtracting(m -> m.getLongSumData().getPoints())
                    .allSatisfy(p -> assertThat(p.getAttributes().asMap().toString())
                            .contains("queue=orders").contains("failure_kind=PERMANENT"));
        }
    }

    private static IncomingMessage message(String id, String body) {
        return IncomingMessage.builder().providerMessageId(id).body(body).sourceQueue("orders").build();
    }

    private static long sum(Collection<MetricData> metrics, String name) {
        return metrics.stream().filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getLongSumData().getPoints().stream()).mapToLong(p -> p.getValue()).sum();
    }
}
