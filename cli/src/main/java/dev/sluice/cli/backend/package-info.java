/**
 * Where {@code sluice dlq} reads and moves dead letters: the backend port, its SQS and Service Bus
 * implementations, and the factory the command line uses to pick one from its options.
 */
@NullMarked
package dev.sluice.cli.backend;

import org.jspecify.annotations.NullMarked;
