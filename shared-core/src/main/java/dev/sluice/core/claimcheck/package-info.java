/**
 * Claim-check: a payload too large for its message is stored outside it (S3, Blob Storage) and the message carries a
 * pointer. {@link dev.sluice.core.claimcheck.ClaimCheck} is the one place the pointer's wire form is written and read;
 * {@link dev.sluice.core.claimcheck.PayloadStore} is the port each cloud adapter implements.
 */
@NullMarked
package dev.sluice.core.claimcheck;

import org.jspecify.annotations.NullMarked;
