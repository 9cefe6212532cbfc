package com.example.orders;

/**
 * An order event, e.g. {@code {"orderId": "o-1", "customerId": "c-9", "amountCents": 1234, "currency": "EUR"}}.
 * Replace it with your own message type: any record Jackson can read.
 *
 * @param orderId the order's id (the idempotency key with {@code SLUICE_IDEMPOTENCY_KEY_POINTER=/orderId})
 * @param customerId the customer
 * @param amountCents the amount in minor units
 * @param currency ISO 4217 code
 */
public record Order(String orderId, String customerId, long amountCents, String currency) {}
