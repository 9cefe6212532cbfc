package dev.sluice.core;

import dev.sluice.core.pipeline.IncomingMessage;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A decoded message as a handler sees it. Immutable.
 *
 * @param <T> the decoded body type
 */
public final class Message<T> {
    private final IncomingMessage incoming;
    private final T body;
    // the inflated payload when it differs from the bytes received; null: the received bytes are the payload
    private final byte @Nullable [] inflated;

    private Message(IncomingMessage incoming, T body, byte @Nullable [] inflated) {
        this.incoming = incoming;
        this.body = body;
        this.inflated = inflated;
    }

    /**
     * Makes a message, e.g. to unit-test a handler.
     *
     * @param incoming the message as received
     * @param body its decoded body
     * @param <T> the body type
     * @return the message
     */
    public static <T> Message<T> of(IncomingMessage incoming, T body) {
        Objects.requireNonNull(incoming, "incoming");
        return new Message<>(incoming, Objects.requireNonNull(body, "body"), null);
    }

    /**
     * Makes a message whose payload differs from the bytes received, as the pipeline does after
     * inflating a gzip-encoded body.
     *
     * @param incoming the message as received
     * @param body its decoded body
     * @param payload the bytes {@code body} was decoded from (copied)
     * @param <T> the body type
     * @return the message
     */
    public static <T> Message<T> of(IncomingMessage incoming, T body, byte[] payload) {
        Objects.requireNonNull(incoming, "incoming");
        return new Message<>(incoming, Objects.requireNonNull(body, "body"), payload.clone());
    }

    /** @return the stable id, the same across redrives and re-publishes */
    public String id() {
        return incoming.id();
    }

    /** @return the provider's id of this delivery */
    public String providerMessageId() {
        return incoming.providerMessageId();
    }

    /** @return the decoded body */
    public T body() {
        return body;
    }

    /** @return a copy of the payload bytes (inflated when the body was gzip-encoded) */
    public byte[] rawBody() {
        return inflated != null ? inflated.clone() : incoming.body();
    }

    /** @return the attributes, unmodifiable */
    public Map<String, String> attributes() {
        return incoming.attributes();
    }

    /** @return the correlation id, if any */
    public Optional<String> correlationId() {
        return incoming.correlationId();
    }

    /** @return the FIFO group or session id, if any */
    public Optional<String> groupKey() {
        return incoming.groupKey();
    }

    /** @return the provider's delivery count of this copy */
    public int deliveryCount() {
        return incoming.deliveryCount();
    }

    /** @return when the provider enqueued this copy, if known */
    public Optional<Instant> enqueuedAt() {
        return incoming.enqueuedAt();
    }

    /** @return the queue the message came from */
    public String sourceQueue() {
        return incoming.sourceQueue();
    }

    @Override
    public String toString() {
        return "Message[id=" + id() + ", queue=" + sourceQueue() + "]";
    }
}
