/**
 * Sluice's public API: the handler contract, the batch pipeline and its outcomes, policies, configuration and security helpers.
 */
@NullMarked
package dev.sluice.core;

import org.jspecify.annotations.NullMarked;
