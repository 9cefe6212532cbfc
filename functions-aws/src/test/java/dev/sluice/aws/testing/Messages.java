package dev.sluice.aws.testing;

import dev.sluice.core.pipeline.IncomingMessage;
import java.util.Map;

/** Builds pipeline messages for tests. */
public final class Messages {
    private Messages() {}

    /**
     * @param id the provider message id
     * @param body the body
     * @param attributes attributes
     * @return a first delivery from queue {@code orders}
     */
    public static IncomingMessage incoming(String id, String body, Map<String, String> attributes) {
        return IncomingMessage.builder().providerMessageId(id).body(body).attributes(attributes).sourceQueue("orders").build();
    }

    /**
     * @param orderId an order id
     * @param amount an amount
     * @return an order event's JSON
     */
    public static String order(String orderId, String amount) {
        return "{\"orderId\":\"" + orderId + "\",\"customerId\":\"c-1\",\"amount\":" + amount + "}";
    }
}
