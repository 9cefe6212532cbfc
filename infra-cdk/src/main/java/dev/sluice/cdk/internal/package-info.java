/** Implementation details of {@code dev.sluice.cdk}; not part of the public API. */
@NullMarked
package dev.sluice.cdk.internal;

import org.jspecify.annotations.NullMarked;
