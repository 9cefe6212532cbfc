/**
 * The demo's order event and handler; not API.
 */
@NullMarked
package dev.sluice.cli.internal.demo;

import org.jspecify.annotations.NullMarked;
