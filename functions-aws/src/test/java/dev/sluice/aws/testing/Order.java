package dev.sluice.aws.testing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * The order event the AWS suites, benchmarks and the test function send, e.g.
 * {@code {"orderId": "o-1", "customerId": "c-9", "amount": 12.50}}.
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
