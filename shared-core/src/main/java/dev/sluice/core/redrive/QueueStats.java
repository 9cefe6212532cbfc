package dev.sluice.core.redrive;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Approximate depth of a dead-letter queue.
 *
 * @param queue the queue's name
 * @param visible messages waiting
 * @param inFlight messages received and not yet deleted or released
 * @param oldestAge age of the oldest message, if the provider reports it
 */
public record QueueStats(String queue, long visible, long inFlight, @Nullable Duration oldestAge) {}
