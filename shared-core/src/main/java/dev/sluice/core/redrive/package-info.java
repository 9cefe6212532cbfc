/**
 * The provider-neutral redrive engine: filters, dry run, rate limit, audit and progress over a source of dead letters and a target queue.
 */
@NullMarked
package dev.sluice.core.redrive;

import org.jspecify.annotations.NullMarked;
