/**
 * The example function: what a user writes.
 */
@NullMarked
package dev.sluice.aws.example;

import org.jspecify.annotations.NullMarked;
