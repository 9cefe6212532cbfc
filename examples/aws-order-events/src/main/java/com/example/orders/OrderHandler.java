package com.example.orders;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import java.util.Map;

/**
 * The business logic, and the only class that knows about orders. Throw {@link PermanentFailureException}
 * for a message that can never succeed (it goes to the dead-letter queue at once); any other exception is
 * retried with backoff.
 */
public final class OrderHandler implements MessageHandler<Order> {
    @Override
    public void handle(Message<Order> message, HandlerContext context) {
        Order order = message.body();
        if (order.amountCents() <= 0) {
            throw new PermanentFailureException("order " + order.orderId() + " has a non-positive amount");
        }
        // your side effect goes here, e.g. a payment call; it runs at most once per orderId
        context.logger().info("order accepted", Map.of("order_id", order.orderId(), "currency", order.currency()));
    }
}
