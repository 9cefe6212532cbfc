/**
 * Implementation details of the Azure adapter; not API, may change without notice.
 */
@NullMarked
package dev.sluice.azure.internal;

import org.jspecify.annotations.NullMarked;
