/**
 * Message codecs: JSON, versioned schemas and payload compression.
 */
@NullMarked
package dev.sluice.core.codec;

import org.jspecify.annotations.NullMarked;
