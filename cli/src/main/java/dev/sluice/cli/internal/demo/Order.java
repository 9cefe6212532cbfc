package dev.sluice.cli.internal.demo;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The order event the demo sends, e.g. {@code {"orderId": "o-1", "customerId": "c-9", "amount": 12.50}}.
 *
 * @param orderId the order's id (the demo's idempotency key, {@code /orderId})
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
