package dev.sluice.core.spi;

/**
 * Writes a handler adds in transactional mode; the store commits them atomically with the
 * {@code COMPLETED} record. Each store defines its own subtype (e.g. DynamoDB transact items, a Cosmos
 * transactional batch); handlers obtain it through {@code HandlerContext.transaction(Class)}.
 */
public interface IdempotencyTransaction {
    /** @return how many writes the handler added */
    int size();
}
