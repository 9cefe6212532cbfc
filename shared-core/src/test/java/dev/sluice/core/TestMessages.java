package dev.sluice.core;

import java.util.Map;

/** Builds incoming messages for tests. */
final class TestMessages {
    static final String QUEUE = "orders";

    private TestMessages() {}

    record Order(String orderId, long amountCents) {}

    static String orderJson(String id, long amount) {
        return "{\"orderId\":\"" + id + "\",\"amountCents\":" + amount + "}";
    }

    static IncomingMessage order(String id, long amount) {
        return message(id, orderJson(id, amount), null, Map.of());
    }

    static IncomingMessage message(String id, String body, String group, Map<String, String> attributes) {
        return IncomingMessage.builder().providerMessageId(id).body(body).groupKey(group)
                .attributes(attributes).sourceQueue(QUEUE).build();
    }

    static IncomingMessage grouped(String id, String group) {
        return message(id, orderJson(id, 100), group, Map.of());
    }
}
