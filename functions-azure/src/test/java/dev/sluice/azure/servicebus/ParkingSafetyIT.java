package dev.sluice.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.testing.FunctionsHostSimulator.Invocation;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.SluiceAttributes;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Parking never fails because of what an error text contains (DESIGN section 7), on the broker model. */
class ParkingSafetyIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    private OrdersFixture fixture() {
        return new OrdersFixture(COSMOS.get().newContainer("sluice"), InMemoryServiceBus.QueueSettings.defaults());
    }

    @Test
    void aPermanentFailureQuotingControlCharacters_isParkedWithItsEnvelope_afterOneInvocation() {
        // GIVEN an order with a negative amount whose id holds control characters (JSON escapes in the body)
        OrdersFixture f = fixture();
        String body = OrdersFixture.order("o-\\u0001\\u001b[2J", -5);
        f.send(body);

        // WHEN the host delivers until the queue is idle
        List<Invocation> invocations = f.host.runUntilIdle(10);

        // THEN the handler ran once, and the parking queue holds the body with the whole envelope, safe everywhere
        assertThat(invocations).hasSize(1).allMatch(Invocation::completed);
        assertThat(f.runs.get("o-\u0001\u001b[2J")).hasSize(1);
        assertThat(f.parked()).singleElement().satisfies(parked -> {
            assertThat(parked.bodyText()).isEqualTo(body);
            assertThat(parked.properties())
                    .containsEntry(SluiceAttributes.FAILURE_KIND, "PERMANENT")
                    .containsEntry(SluiceAttributes.ERROR_TYPE, PermanentFailureException.class.getName())
                    .containsEntry(SluiceAttributes.ERROR_MESSAGE, "amount must be positive for order o-\uFFFD\uFFFD[2J")
                    .containsEntry(SluiceAttributes.ATTEMPTS, "1")
                    .containsKeys(SluiceAttributes.ERROR_FINGERPRINT, SluiceAttributes.FIRST_FAILURE_AT,
                            SluiceAttributes.SOURCE_QUEUE, SluiceAttributes.ORIGINAL_MESSAGE_ID);
        });
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
        assertThat(f.broker.deadLetters(OrdersFixture.QUEUE)).isEmpty();
    }

    @Test
    void aParkedCopyServiceBusRefuses_isParkedAgainWithTheMinimalEnvelope_besideOneItAccepts() {
        // GIVEN two orders with negative amounts in one batch; the broker refuses the first one's full envelope
        OrdersFixture f = fixture();
        f.broker.rejectMessagesWhen((queue, message) -> queue.equals(OrdersFixture.PARKING)
                && message.applicationProperties().getOrDefault(SluiceAttributes.ERROR_MESSAGE, "").endsWith("o-refused"));
        f.send(OrdersFixture.order("o-refused", -1));
        f.send(OrdersFixture.order("o-plain", -2));

        // WHEN the host delivers until the queue is idle
        List<Invocation> invocations = f.host.runUntilIdle(10);

        // THEN one invocation completed the batch: no redelivery, no retry loop, each handler ran once
        assertThat(invocations).hasSize(1).allMatch(Invocation::completed);
        assertThat(f.runs.get("o-refused")).hasSize(1);
        assertThat(f.runs.get("o-plain")).hasSize(1);
        // AND the refused one is parked with kind, stable id and attempts only, which redrive filters still read
        assertThat(f.parked()).filteredOn(s -> !s.properties().containsKey(SluiceAttributes.ERROR_MESSAGE)).singleElement()
                .satisfies(minimal -> {
                    assertThat(minimal.bodyText()).isEqualTo(OrdersFixture.order("o-refused", -1));
                    assertThat(minimal.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "PERMANENT")
                            .containsEntry(SluiceAttributes.ATTEMPTS, "1")
                            .containsKey(SluiceAttributes.ORIGINAL_MESSAGE_ID)
                            .doesNotContainKeys(SluiceAttributes.ERROR_TYPE, SluiceAttributes.SOURCE_QUEUE);
                    assertThat(DeadLetterEnvelope.fromAttributes(minimal.properties(), Instant.now()))
                            .map(DeadLetterEnvelope::failureKind).contains(FailureKind.PERMANENT);
                });
        // AND the other one keeps its whole envelope
        assertThat(f.parked()).filteredOn(s -> s.properties().containsKey(SluiceAttributes.ERROR_MESSAGE)).singleElement()
                .satisfies(full -> assertThat(full.properties())
                        .containsEntry(SluiceAttributes.ERROR_MESSAGE, "amount must be positive for order o-plain"));
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
    }
}
