package dev.sluice.cli;

import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.QueueStats;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.RedriveTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dead-letter queue in memory that hides received messages until they are removed or released, like SQS; what is
 * redriven to its queue is kept in {@link #redriven}.
 */
final class InMemoryDlq implements DeadLetterQueue {
    private final String queue;
    final Map<String, DeadLetter> visible = new LinkedHashMap<>();
    final Map<String, DeadLetter> hidden = new LinkedHashMap<>();
    final List<Map.Entry<byte[], Map<String, String>>> redriven = new ArrayList<>();

    /** The {@code orders} queue and its DLQ {@code orders-dlq}. */
    InMemoryDlq() {
        this("orders");
    }

    /** @param queue the queue's name; its DLQ is {@code <queue>-dlq} */
    InMemoryDlq(String queue) {
        this.queue = queue;
    }

    void add(DeadLetter letter) {
        visible.put(letter.providerMessageId(), letter);
    }

    @Override
    public QueueStats stats() {
        return new QueueStats(queue + "-dlq", visible.size(), hidden.size(), null);
    }

    @Override
    public List<DeadLetter> browse(int max) {
        return visible.values().stream().limit(max).toList();
    }

    @Override
    public DeadLetterSource source() {
        return new DeadLetterSource() {
            @Override
            public String name() {
                return queue + "-dlq";
            }

            @Override
            public List<DeadLetter> receive(int max) {
                List<DeadLetter> batch = visible.values().stream().limit(max).toList();
                batch.forEach(d -> {
                    visible.remove(d.providerMessageId());
                    hidden.put(d.providerMessageId(), d);
                });
                return batch;
            }

            @Override
            public void remove(DeadLetter deadLetter) {
                hidden.remove(deadLetter.providerMessageId());
            }

            @Override
            public void release(DeadLetter deadLetter) {
                DeadLetter d = hidden.remove(deadLetter.providerMessageId());
                if (d != null) {
                    visible.put(d.providerMessageId(), d);
                }
            }
        };
    }

    @Override
    public RedriveTarget target() {
        return new RedriveTarget() {
            @Override
            public String name() {
                return queue;
            }

            @Override
            public void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes) {
                redriven.add(Map.entry(body, attributes));
            }
        };
    }

    @Override
    public void close() {}
}
