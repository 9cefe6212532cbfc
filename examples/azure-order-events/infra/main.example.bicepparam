// Parameters for deploying this example with Sluice's Bicep template (infra-bicep/main.bicep).
// Copy the file, then change at least baseName (globally unique names derive from it) and alertEmails.
//
//   az deployment group create --resource-group <rg> \
//     --template-file ../../../infra-bicep/main.bicep --parameters infra/main.example.bicepparam
using '../../../infra-bicep/main.bicep'

param baseName = 'orders-example'
param environmentName = 'dev'
// the function reads it as %QUEUE_NAME%; dead letters go to order-events-parking
param queueName = 'order-events'
param maxDeliveryCount = 10
param lockDurationSeconds = 60
param requiresSession = false
param maxRetryAttempts = 3
param retryBackoffMs = 1000
param retryBackoffMaxMs = 60000
param parkingRetentionDays = 7
// at least parking retention (7 days) + a 7-day redrive window
param idempotencyTtlSeconds = 1296000
param signatureMaxAgeSeconds = 1209600
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param alertEmails = [
  'orders-team@example.com'
]
param tags = {
  example: 'azure-order-events'
}
