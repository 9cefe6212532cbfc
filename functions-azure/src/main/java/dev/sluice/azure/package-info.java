/**
 * Sluice on Azure: the Service Bus batch consumer for Azure Functions ({@link dev.sluice.azure.ServiceBusBatchConsumer}),
 * the Cosmos DB idempotency store, the re-publish and parking-queue publisher, Service Bus redrive and
 * OpenTelemetry metrics.
 */
@NullMarked
package dev.sluice.azure;

import org.jspecify.annotations.NullMarked;
