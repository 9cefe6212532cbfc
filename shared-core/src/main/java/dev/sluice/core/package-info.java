/**
 * The handler API: what a handler author implements and sees. The pipeline that runs handlers is in
 * {@code dev.sluice.core.pipeline}; idempotency, codecs, security, configuration, observability and
 * redrive have their own packages, and extension points are in {@code dev.sluice.core.spi}.
 */
@NullMarked
package dev.sluice.core;

import org.jspecify.annotations.NullMarked;
