/**
 * A local stand-in for Lambda's SQS event source mapping, for demos and end-to-end tests.
 */
@NullMarked
package dev.sluice.aws.local;

import org.jspecify.annotations.NullMarked;
