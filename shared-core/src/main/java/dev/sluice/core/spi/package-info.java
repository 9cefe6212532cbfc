/**
 * Extension points: idempotency stores, metrics and log sinks. Providers implement these; users pick one.
 */
@NullMarked
package dev.sluice.core.spi;

import org.jspecify.annotations.NullMarked;
