package dev.sluice.core.redrive;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A target queue in memory that records what it was sent and can refuse chosen messages. */
final class InMemoryRedriveTarget implements RedriveTarget {
    record Sent(String providerMessageId, byte[] body, Map<String, String> attributes) {}

    private final String name;
    private final List<Sent> sent = new ArrayList<>();
    private final Set<String> refuse = new HashSet<>();

    InMemoryRedriveTarget(String name) {
        this.name = name;
    }

    /** Makes sends of this dead letter fail, as a throttled or unreachable queue would. */
    void refuse(String providerMessageId) {
        refuse.add(providerMessageId);
    }

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    List<String> sentIds() {
        return sent.stream().map(Sent::providerMessageId).toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes) {
        if (refuse.contains(deadLetter.providerMessageId())) {
            throw new IllegalStateException("target queue throttled the send");
        }
        sent.add(new Sent(deadLetter.providerMessageId(), body.clone(), Map.copyOf(attributes)));
    }
}
