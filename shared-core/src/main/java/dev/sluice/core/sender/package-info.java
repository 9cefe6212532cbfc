/**
 * The producer side: one {@link dev.sluice.core.sender.MessageSender} API implemented per provider, and the one
 * {@link dev.sluice.core.sender.Envelope} that writes the attributes a Sluice consumer reads, from the same constants
 * it reads them with, so a sent message passes the consumer's checks by construction.
 */
@NullMarked
package dev.sluice.core.sender;

import org.jspecify.annotations.NullMarked;
