/**
 * Local stand-ins for the demo and end-to-end tests: Lambda's SQS event source mapping, and the moto server
 * that serves DynamoDB.
 */
@NullMarked
package dev.sluice.aws.local;

import org.jspecify.annotations.NullMarked;
