/**
 * Implementation details of the pipeline; not API, may change without notice.
 */
@NullMarked
package dev.sluice.core.internal;

import org.jspecify.annotations.NullMarked;
