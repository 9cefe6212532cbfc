/**
 * The batch pipeline: BatchProcessor, its stages, outcomes, retry policy and failure classification.
 */
@NullMarked
package dev.sluice.core.pipeline;

import org.jspecify.annotations.NullMarked;
