/**
 * The {@code sluice} command: the local demo and dead-letter operations on both clouds.
 */
@NullMarked
package dev.sluice.cli;

import org.jspecify.annotations.NullMarked;
