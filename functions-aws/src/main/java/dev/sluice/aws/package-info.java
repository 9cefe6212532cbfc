/**
 * Sluice on AWS: the SQS batch consumer for Lambda, DynamoDB idempotency, SQS redrive, EMF metrics and JSON logs.
 */
@NullMarked
package dev.sluice.aws;

import org.jspecify.annotations.NullMarked;
