// Role assignments for the Function App's system-assigned identity, each on the narrowest scope:
// receive from the queue; send to the queue (scheduled retries) and to the parking queue (dead
// letters); read and write the idempotency container; host storage; telemetry; read and delete
// claim-check payloads (with a payload store). Redriving the
// parking queue is an operator's permission and is deliberately not granted here.

@description('Principal id of the Function App\'s system-assigned identity.')
param functionPrincipalId string
param serviceBusNamespaceName string
param queueName string
param parkingQueueName string
param cosmosAccountName string
param cosmosDatabaseName string
param idempotencyContainerName string
param storageAccountName string
param applicationInsightsName string
@description('The claim-check container in the host storage account; empty without a payload store.')
param payloadContainerName string = ''

var serviceBusDataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
// Cosmos DB Built-in Data Contributor (a Cosmos data-plane role, not an Azure RBAC role)
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: namespace
  name: queueName
}

resource parkingQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: namespace
  name: parkingQueueName
}

resource cosmosAccount 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource payloadContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: empty(payloadContainerName) ? 'none' : payloadContainerName
}

resource queueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, functionPrincipalId, serviceBusDataReceiver)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiver)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, functionPrincipalId, serviceBusDataSender)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource parkingSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(parkingQueue.id, functionPrincipalId, serviceBusDataSender)
  scope: parkingQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource hostStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionPrincipalId, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Read and delete (after success) of stored payloads, on the claim-check container only. Producers
// need their own Storage Blob Data Contributor (or a custom write-only role) on it.
resource payloadData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(payloadContainerName)) {
  name: guid(payloadContainer.id, functionPrincipalId, storageBlobDataContributor)
  scope: payloadContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource idempotencyData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmosAccount
  name: guid(cosmosAccount.id, functionPrincipalId, cosmosDataContributor)
  properties: {
    roleDefinitionId: '${cosmosAccount.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    principalId: functionPrincipalId
    scope: '${cosmosAccount.id}/dbs/${cosmosDatabaseName}/colls/${idempotencyContainerName}'
  }
}
