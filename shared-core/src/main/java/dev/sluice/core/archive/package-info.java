/**
 * Archiving dead letters under a two-person rule: a plan naming exactly the dead letters to archive, signed by the
 * operator who requests it and by a second operator who approves it (Ed25519 operator keys), and the run that checks
 * both signatures against trusted keys, exports exactly the planned dead letters to a file, verifies the file and only
 * then removes them from the queue. There is no purge.
 */
@NullMarked
package dev.sluice.core.archive;

import org.jspecify.annotations.NullMarked;
