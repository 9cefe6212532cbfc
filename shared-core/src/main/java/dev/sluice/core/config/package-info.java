/**
 * Settings read once at start: SluiceConfig and its errors.
 */
@NullMarked
package dev.sluice.core.config;

import org.jspecify.annotations.NullMarked;
