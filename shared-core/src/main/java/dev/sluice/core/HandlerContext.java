package dev.sluice.core;

import dev.sluice.core.spi.IdempotencyTransaction;
import java.time.Duration;

/** What a handler may know about the invocation it runs in. */
public interface HandlerContext {
    /** @return time left before the invocation's deadline (never negative) */
    Duration remainingTime();

    /**
     * @return the attempt number of this execution, starting at 1: with an idempotency store, the failed executions
     *     on the message's record plus one (deliveries that did not run the handler do not count); without one, the
     *     provider's delivery count plus the attempts of earlier re-published copies
     */
    int attempt();

    /** @return a logger whose lines carry this message's queue, id, correlation id and delivery count */
    MessageLogger logger();

    /**
     * The transaction whose writes commit atomically with the idempotency record (transactional mode
     * only). The concrete type depends on the store, e.g. a DynamoDB or Cosmos transaction.
     *
     * @param type the store's transaction type
     * @param <X> the store's transaction type
     * @return the transaction of this message's idempotency record
     * @throws IllegalStateException when idempotency is not in transactional mode, or the store's
     *     transaction is not of {@code type}
     */
    <X extends IdempotencyTransaction> X transaction(Class<X> type);
}
