// Development: small scale-out, short lock, alerts to the team.
using './main.bicep'

param baseName = 'sluice-orders-dev'
param environmentName = 'dev'
param queueName = 'order-events'
param maxDeliveryCount = 10
param lockDurationSeconds = 60
param maxRetryAttempts = 3
param retryBackoffMs = 1000
param retryBackoffMaxMs = 60000
param parkingRetentionDays = 7
// claim-check store: 14-day queue TTL + 7 days parked + a 7-day redrive window
param payloadStore = true
param payloadRetentionDays = 28
param idempotencyTtlSeconds = 1296000
param signatureMaxAgeSeconds = 1209600
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param alertEmails = [
  'sluice-dev@example.com'
]
