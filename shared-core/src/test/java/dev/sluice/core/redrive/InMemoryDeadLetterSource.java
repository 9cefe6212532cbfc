package dev.sluice.core.redrive;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dead-letter queue in memory that behaves like SQS: a received message is hidden from further receives
 * until it is removed or released, and each receive hands out a fresh handle (an old handle no longer works).
 * With {@code lapsingVisibility} a received message stays visible, as when a visibility timeout runs out
 * during a long scan.
 */
class InMemoryDeadLetterSource implements DeadLetterSource {
    private record Stored(String id, byte[] body, Map<String, String> attributes, Instant enqueuedAt) {}

    private final String name;
    private final boolean lapsingVisibility;
    private final List<Stored> visible = new ArrayList<>();
    private final Map<String, Stored> inFlight = new LinkedHashMap<>();
    private int receipts;
    private int receiveCalls;

    InMemoryDeadLetterSource(String name) {
        this(name, false);
    }

    InMemoryDeadLetterSource(String name, boolean lapsingVisibility) {
        this.name = name;
        this.lapsingVisibility = lapsingVisibility;
    }

    void add(String id, byte[] body, Map<String, String> attributes, Instant enqueuedAt) {
        visible.add(new Stored(id, body.clone(), Map.copyOf(attributes), enqueuedAt));
    }

    /** @return ids of every message still in the queue, visible or hidden */
    List<String> ids() {
        List<String> ids = new ArrayList<>();
        visible.forEach(s -> ids.add(s.id()));
        inFlight.values().forEach(s -> ids.add(s.id()));
        return ids;
    }

    /** @return messages received and neither removed nor released */
    int hiddenCount() {
        return inFlight.size();
    }

    int receiveCalls() {
        return receiveCalls;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<DeadLetter> receive(int max) {
        receiveCalls++;
        List<DeadLetter> batch = new ArrayList<>();
        List<Stored> taken = new ArrayList<>(visible.subList(0, Math.min(max, visible.size())));
        for (Stored stored : taken) {
            String handle = "receipt-" + (++receipts);
            if (!lapsingVisibility) {
                visible.remove(stored);
            }
            inFlight.put(handle, stored);
            batch.add(new DeadLetter(handle, stored.id(), stored.body(), stored.attributes(), stored.enqueuedAt()));
        }
        return batch;
    }

    @Override
    public void remove(DeadLetter deadLetter) {
        Stored stored = take(deadLetter);
        visible.remove(stored);
    }

    @Override
    public void release(DeadLetter deadLetter) {
        Stored stored = take(deadLetter);
        if (!visible.contains(stored)) {
            visible.add(stored);
        }
    }

    private Stored take(DeadLetter deadLetter) {
        Stored stored = inFlight.remove(deadLetter.handle());
        if (stored == null) {
            throw new IllegalStateException("unknown or stale handle " + deadLetter.handle());
        }
        return stored;
    }
}
