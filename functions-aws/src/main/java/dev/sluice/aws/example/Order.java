package dev.sluice.aws.example;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * An order event, as producers publish it to the {@code order-events} queue.
 *
 * @param orderId the order's id (the idempotency key, with {@code SLUICE_IDEMPOTENCY_KEY_POINTER=/orderId})
 * @param customerId who ordered
 * @param amount the order total
 */
public record Order(String orderId, String customerId, BigDecimal amount) {
    /** Validates the components: a missing field makes the message poison. */
    public Order {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(amount, "amount");
    }
}
