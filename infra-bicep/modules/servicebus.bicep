// Service Bus namespace (Entra ID only, TLS 1.2) with the consumer's queue and its parking queue,
// where Sluice puts dead letters with their failure envelope.

param namespaceName string
param location string
param tags object
param queueName string
param maxDeliveryCount int
param lockDurationSeconds int
param requiresSession bool
param parkingRetentionDays int

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    maxDeliveryCount: maxDeliveryCount
    lockDuration: 'PT${lockDurationSeconds}S'
    deadLetteringOnMessageExpiration: true
    requiresSession: requiresSession
    defaultMessageTimeToLive: 'P14D'
  }
}

resource parkingQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: '${queueName}-parking'
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P${parkingRetentionDays}D'
  }
}

output namespaceName string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output queueName string = queue.name
output parkingQueueName string = parkingQueue.name
