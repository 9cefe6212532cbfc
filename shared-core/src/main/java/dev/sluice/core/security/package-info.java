/**
 * Signatures, signing keys, redaction, safe text for provider attributes and hashing.
 */
@NullMarked
package dev.sluice.core.security;

import org.jspecify.annotations.NullMarked;
