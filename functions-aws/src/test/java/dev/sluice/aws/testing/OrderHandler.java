package dev.sluice.aws.testing;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import java.math.BigDecimal;
import java.util.Map;

/** The order handler the suites and benchmarks run: accepts any order with a non-negative amount. */
public final class OrderHandler implements MessageHandler<Order> {
    @Override
    public void handle(Message<Order> message, HandlerContext context) {
        Order order = message.body();
        if (order.amount().signum() < 0) {
            throw new PermanentFailureException("negative amount for order " + order.orderId());
        }
        // a real handler would write to a database or call a service here
        context.logger().info("order accepted", Map.of("order_id", order.orderId(),
                "large", order.amount().compareTo(BigDecimal.valueOf(10_000)) > 0));
    }
}
