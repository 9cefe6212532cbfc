// Production: full 14-day parking retention, idempotency kept 21 days (14 + 7-day redrive window).
using './main.bicep'

param baseName = 'sluice-orders'
param environmentName = 'prod'
param queueName = 'order-events'
param maxDeliveryCount = 10
param lockDurationSeconds = 120
param maxRetryAttempts = 5
param retryBackoffMs = 1000
param retryBackoffMaxMs = 300000
param parkingRetentionDays = 14
param idempotencyTtlSeconds = 1900800
param maximumInstanceCount = 100
param instanceMemoryMB = 2048
param alertEmails = [
  'oncall@example.com'
]
param tags = {
  costCenter: 'payments'
}
