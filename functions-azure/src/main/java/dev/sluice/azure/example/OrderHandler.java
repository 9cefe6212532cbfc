package dev.sluice.azure.example;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import java.util.Map;

/** The example's business logic: the same handler runs on AWS and Azure. */
public final class OrderHandler implements MessageHandler<Order> {
    @Override
    public void handle(Message<Order> message, HandlerContext context) {
        Order order = message.body();
        if (order.amountCents() <= 0) {
            throw new PermanentFailureException("order " + order.orderId() + " has a non-positive amount");
        }
        context.logger().info("order accepted", Map.of("order_id", order.orderId(), "currency", order.currency()));
    }
}
