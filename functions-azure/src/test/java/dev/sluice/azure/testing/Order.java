package dev.sluice.azure.testing;

/**
 * The order event the Azure suites send, e.g.
 * {@code {"orderId": "o-1", "customerId": "c-9", "amountCents": 1234, "currency": "EUR"}}; the suites key
 * idempotency on {@code /orderId}.
 *
 * @param orderId the order's id
 * @param customerId the customer
 * @param amountCents the amount in minor units
 * @param currency ISO 4217 code
 */
public record Order(String orderId, String customerId, long amountCents, String currency) {}
