/**
 * Idempotency options, modes and the in-memory store; stores implement dev.sluice.core.spi.IdempotencyStore.
 */
@NullMarked
package dev.sluice.core.idempotency;

import org.jspecify.annotations.NullMarked;
