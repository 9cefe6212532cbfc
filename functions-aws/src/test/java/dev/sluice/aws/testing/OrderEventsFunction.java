package dev.sluice.aws.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import java.util.Objects;

/**
 * A Lambda function as users write it (see {@code examples/aws-order-events}), for the suites and the cold-start
 * benchmark: the consumer is built once from the environment ({@code QUEUE_NAME}, {@code IDEMPOTENCY_TABLE},
 * {@code SLUICE_IDEMPOTENCY_KEY_POINTER}, ...) in a static field, and tests wire their own with the second
 * constructor.
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
