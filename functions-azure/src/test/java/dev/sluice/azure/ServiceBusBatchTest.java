package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.pipeline.IncomingMessage;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the trigger's bodies and binding-metadata arrays become pipeline messages. */
class ServiceBusBatchTest {
    @Test
    void arrays_becomeIndexAlignedMessages_withMetadata() {
        // GIVEN what the Java worker binds for a batch of two
        Map<String, Object> props = new HashMap<>();
        props.put("sluice-attempt", 2.0);
        props.put("sluice-original-message-id", "orig-1");
        props.put("amount", 12.5);
        props.put("nothing", null);
        ServiceBusBatch batch = ServiceBusBatch.builder()
                .bodies(new String[] {"{\"a\":1}", "{\"b\":2}"})
                .messageIds(new String[] {"m-1", "m-2"})
                .deliveryCounts(new int[] {3, 1})
                .applicationProperties(Arrays.asList(props, null))
                .sessionIds(new String[] {"s-9", null})
                .enqueuedTimesUtc(new String[] {"2030-01-01T10:00:00.123Z", "2030-01-01T10:00:01"})
                .correlationIds(new String[] {"corr-1", null})
                .build();

        // WHEN converted for the pipeline
        List<IncomingMessage> messages = batch.toIncoming("orders");

        // THEN ids, counts, sessions, times and properties line up; whole-number doubles read as integers
        IncomingMessage first = messages.getFirst();
        assertThat(first.id()).isEqualTo("orig-1");
        assertThat(first.providerMessageId()).isEqualTo("m-1");
        assertThat(first.priorAttempts()).isEqualTo(2);
        assertThat(first.deliveryCount()).isEqualTo(3);
        assertThat(first.groupKey()).contains("s-9");
        assertThat(first.correlationId()).contains("corr-1");
        assertThat(first.enqueuedAt()).contains(Instant.parse("2030-01-01T10:00:00.123Z"));
        assertThat(first.attributes()).containsEntry("amount", "12.5").doesNotContainKey("nothing");
        IncomingMessage second = messages.get(1);
        assertThat(second.id()).isEqualTo("m-2");
        assertThat(second.groupKey()).isEmpty();
        assertThat(second.attributes()).isEmpty();
        assertThat(second.enqueuedAt()).contains(Instant.parse("2030-01-01T10:00:01Z"));
        assertThat(second.sourceQueue()).isEqualTo("orders");
    }

    @Test
    void badEntries_affectOnlyTheirOwnMessage() {
        // GIVEN a missing body, a missing id, a zero delivery count and an unreadable time
        ServiceBusBatch batch = ServiceBusBatch.builder()
                .bodies(new String[] {null, "x"})
                .messageIds(new String[] {"m-1", null})
                .deliveryCounts(new Integer[] {0, null})
                .enqueuedTimesUtc(new String[] {"yesterday", ""})
                .build();

        // WHEN converted
        List<IncomingMessage> messages = batch.toIncoming("q");

        // THEN both messages exist: the empty body will be poison, the id-less one gets a body-derived id
        assertThat(messages).hasSize(2);
        assertThat(messages.getFirst().bodySize()).isZero();
        assertThat(messages.getFirst().deliveryCount()).isEqualTo(1);
        assertThat(messages.getFirst().enqueuedAt()).isEmpty();
        assertThat(messages.get(1).id()).startsWith("sha256:");
    }

    @Test
    void builder_namesMissingAndMisalignedArrays() {
        assertThatThrownBy(() -> ServiceBusBatch.builder().messageIds(new String[0]).build())
                .hasMessage("bodies is required");
        assertThatThrownBy(() -> ServiceBusBatch.builder().bodies(new String[] {"x"}).build())
                .hasMessageContaining("messageIds is required").hasMessageContaining("MessageIdArray");
        assertThatThrownBy(() -> ServiceBusBatch.builder().bodies(new String[] {"x", "y"}).messageIds(new String[] {"1", "2"})
                .deliveryCounts(new int[] {1}).build())
                .hasMessage("deliveryCounts has 1 entries but there are 2 bodies");
    }
}
