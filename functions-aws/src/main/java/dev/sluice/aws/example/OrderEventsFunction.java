package dev.sluice.aws.example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import java.util.Objects;

/**
 * The Lambda a user writes: build the consumer once, delegate. Configuration comes from the environment
 * ({@code QUEUE_NAME}, {@code IDEMPOTENCY_TABLE}, {@code SLUICE_IDEMPOTENCY_KEY_POINTER}, ...). The
 * consumer lives in a static field, the one piece of global state Sluice allows: it is built during
 * Lambda's init phase (so a SnapStart snapshot contains it, primed) and reused by warm invocations.
 */
public final class OrderEventsFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final SqsBatchConsumer<Order> CONSUMER = SqsBatchConsumer.builder(Order.class)
            .fromEnvironment()
            .handler(new OrderHandler())
            .build();

    private final SqsBatchConsumer<Order> consumer;

    /** The constructor Lambda calls. */
    public OrderEventsFunction() {
        this(CONSUMER);
    }

    /** @param consumer a consumer wired to other clients, e.g. local emulators in tests */
    public OrderEventsFunction(SqsBatchConsumer<Order> consumer) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return consumer.handle(event, context);
    }
}
