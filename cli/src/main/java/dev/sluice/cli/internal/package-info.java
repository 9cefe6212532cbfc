/**
 * The command implementations and their provider back ends; not API.
 */
@NullMarked
package dev.sluice.cli.internal;

import org.jspecify.annotations.NullMarked;
