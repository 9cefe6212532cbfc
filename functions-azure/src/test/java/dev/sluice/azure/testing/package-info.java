/**
 * Test fixtures other suites reuse through this module's test-jar: the local Cosmos DB server, the
 * in-memory Service Bus broker model, the Functions host simulator and the {@link dev.sluice.azure.testing.Order}
 * message the suites send.
 */
package dev.sluice.azure.testing;
