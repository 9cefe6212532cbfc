/**
 * Test fixtures other suites reuse through this module's test-jar: the local Cosmos DB server, the
 * in-memory Service Bus broker model and the Functions host simulator.
 */
package dev.sluice.azure.testing;
