package dev.sluice.aws.testing;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fixture {@link OrderHandler} with scripted downstream trouble: orders named in {@code failFirst}
 * fail that many times with a retryable error, orders whose id starts with {@code x-} always fail. Records
 * every successful execution, in order, per order id and per FIFO group.
 */
public final class ScriptedOrderHandler implements MessageHandler<Order> {
    private final OrderHandler delegate = new OrderHandler();
    private final Map<String, Integer> failFirst;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> successes = new ConcurrentHashMap<>();
    private final Map<String, List<String>> successOrderByGroup = new ConcurrentHashMap<>();

    /** @param failFirst order id → how many attempts fail before one succeeds */
    public ScriptedOrderHandler(Map<String, Integer> failFirst) {
        this.failFirst = Map.copyOf(failFirst);
    }

    @Override
    public void handle(Message<Order> message, HandlerContext context) {
        String orderId = message.body().orderId();
        int attempt = attempts.computeIfAbsent(orderId, k -> new AtomicInteger()).incrementAndGet();
        if (orderId.startsWith("x-") || attempt <= failFirst.getOrDefault(orderId, 0)) {
            throw new IllegalStateException("downstream unavailable (attempt " + attempt + ")");
        }
        delegate.handle(message, context);
        successes.computeIfAbsent(orderId, k -> new AtomicInteger()).incrementAndGet();
        List<String> order = successOrderByGroup.computeIfAbsent(message.groupKey().orElse(""), k -> new ArrayList<>());
        synchronized (order) {
            order.add(orderId);
        }
    }

    /** @param orderId an order @return how often it was handled successfully */
    public int successes(String orderId) {
        AtomicInteger n = successes.get(orderId);
        return n == null ? 0 : n.get();
    }

    /** @param orderId an order @return how often the handler was called for it */
    public int attempts(String orderId) {
        AtomicInteger n = attempts.get(orderId);
        return n == null ? 0 : n.get();
    }

    /** @return successful order ids per FIFO group, in execution order */
    public Map<String, List<String>> successOrderByGroup() {
        Map<String, List<String>> copy = new java.util.TreeMap<>();
        successOrderByGroup.forEach((group, list) -> {
            synchronized (list) {
                copy.put(group, List.copyOf(list));
            }
        });
        return copy;
    }
}
