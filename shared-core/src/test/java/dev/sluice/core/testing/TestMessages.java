package dev.sluice.core.testing;

import dev.sluice.core.pipeline.IncomingMessage;
import java.util.Map;

/** Builds incoming messages for tests. */
public final class TestMessages {
    public static final String QUEUE = "orders";

    private TestMessages() {}

    public record Order(String orderId, long amountCents) {}

    public static String orderJson(String id, long amount) {
        return "{\"orderId\":\"" + id + "\",\"amountCents\":" + amount + "}";
    }

    public static IncomingMessage order(String id, long amount) {
        return message(id, orderJson(id, amount), null, Map.of());
    }

    public static IncomingMessage message(String id, String body, String group, Map<String, String> attributes) {
        return IncomingMessage.builder().providerMessageId(id).body(body).groupKey(group)
                .attributes(attributes).sourceQueue(QUEUE).build();
    }

    public static IncomingMessage grouped(String id, String group) {
        return message(id, orderJson(id, 100), group, Map.of());
    }
}
