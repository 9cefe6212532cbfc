/**
 * The {@link dev.sluice.cdk.QueueConsumer} construct: one SQS-triggered Sluice consumer with its
 * queue, dead-letter queue, idempotency table, alarms and least-privilege roles.
 */
@NullMarked
package dev.sluice.cdk;

import org.jspecify.annotations.NullMarked;
