package dev.sluice.core.idempotency;

import dev.sluice.core.HandlerContext;

/** How the idempotency record relates to the handler's own writes. */
public enum IdempotencyMode {
    /** Begin and complete around the handler: two writes per new message, no reads. */
    GUARD,
    /**
     * The {@code COMPLETED} record and the handler's writes (added through
     * {@link HandlerContext#transaction(Class)}) commit in one transaction: exactly-once effects for
     * state kept in the same database.
     */
    TRANSACTIONAL
}
