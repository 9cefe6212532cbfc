/**
 * Metrics and log sinks, and the redacting structured log adapters share.
 */
@NullMarked
package dev.sluice.core.observability;

import org.jspecify.annotations.NullMarked;
