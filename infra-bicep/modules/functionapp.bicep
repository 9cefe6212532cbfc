// Flex Consumption Function App (Java 21) with a system-assigned identity. The host storage, the
// deployment package, Service Bus, Cosmos DB and Application Insights are all reached with that
// identity: no key, SAS or connection string is stored in the app settings. Optionally the
// claim-check container `payloads` for large message payloads, with a lifecycle rule deleting them.

param appName string
param planName string
param storageAccountName string
param location string
param tags object
param applicationInsightsName string
param maximumInstanceCount int
param instanceMemoryMB int
param serviceBusFullyQualifiedNamespace string
param queueName string
param parkingQueueName string
param lockDurationSeconds int
param maxRetryAttempts int
param retryBackoffMs int
param retryBackoffMaxMs int
param cosmosEndpoint string
param cosmosDatabaseName string
param idempotencyContainerName string
param idempotencyTtlSeconds int
param signatureMaxAgeSeconds int
param signatureClockSkewSeconds int
@description('Key Vault secret URI of the signing keys (SLUICE_SIGNING_KEYS = azure-keyvault:<uri>); empty for none.')
param signingKeysSecretUri string = ''
@description('Create the claim-check container and set SLUICE_PAYLOAD_STORE.')
param payloadStore bool = false
@description('Days after which the lifecycle rule deletes a stored payload.')
param payloadRetentionDays int = 35
@description('SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS.')
param deletePayloadsAfterSuccess bool = true

var deploymentContainerName = 'app-package'
var payloadContainerName = 'payloads'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// The claim-check store: producers put large payloads here, the consumer reads and deletes them.
resource payloadContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = if (payloadStore) {
  parent: blobService
  name: payloadContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Deletes payloads the consumer did not delete (failed, dead-lettered, or deletion off) once no
// message can point at them any more.
resource payloadLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (payloadStore) {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-payloads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${payloadContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: payloadRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'java'
        version: '21'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat([
        // Host storage through the identity (no AzureWebJobsStorage connection string)
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        // An address, not a credential: Application Insights has local auth off and accepts
        // only Entra ID tokens, which the next setting tells the agent to use.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        // Identity-based connection of the trigger (connection = "ServiceBusConnection"); Sluice's
        // re-publisher reads the same setting
        {
          name: 'ServiceBusConnection__fullyQualifiedNamespace'
          value: serviceBusFullyQualifiedNamespace
        }
        // Sluice's settings
        {
          name: 'QUEUE_NAME'
          value: queueName
        }
        {
          name: 'QUEUE_DLQ_NAME'
          value: parkingQueueName
        }
        {
          name: 'QUEUE_MAX_RETRY_ATTEMPTS'
          value: string(maxRetryAttempts)
        }
        {
          name: 'QUEUE_RETRY_BACKOFF_MS'
          value: string(retryBackoffMs)
        }
        {
          name: 'QUEUE_RETRY_BACKOFF_MAX_MS'
          value: string(retryBackoffMaxMs)
        }
        {
          name: 'QUEUE_VISIBILITY_TIMEOUT_SECONDS'
          value: string(lockDurationSeconds)
        }
        {
          name: 'COSMOS_ENDPOINT'
          value: cosmosEndpoint
        }
        {
          name: 'COSMOS_DATABASE'
          value: cosmosDatabaseName
        }
        {
          name: 'IDEMPOTENCY_CONTAINER'
          value: idempotencyContainerName
        }
        {
          name: 'IDEMPOTENCY_TTL_SECONDS'
          value: string(idempotencyTtlSeconds)
        }
        {
          name: 'SLUICE_SIGNATURE_MAX_AGE_SECONDS'
          value: string(signatureMaxAgeSeconds)
        }
        {
          name: 'SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS'
          value: string(signatureClockSkewSeconds)
        }
      ], empty(signingKeysSecretUri) ? [] : [
        // a reference, not the keys: the identity reads the secret (Key Vault Secrets User)
        {
          name: 'SLUICE_SIGNING_KEYS'
          value: 'azure-keyvault:${signingKeysSecretUri}'
        }
      ], !payloadStore ? [] : [
        // primaryEndpoints.blob ends with '/'
        {
          name: 'SLUICE_PAYLOAD_STORE'
          value: '${storage.properties.primaryEndpoints.blob}${payloadContainerName}'
        }
        {
          name: 'SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS'
          value: deletePayloadsAfterSuccess ? 'true' : 'false'
        }
      ])
    }
  }
  dependsOn: [
    deploymentContainer
  ]
}

output appName string = functionApp.name
output principalId string = functionApp.identity.principalId
output storageAccountName string = storage.name
output payloadContainerName string = payloadStore ? payloadContainer.name : ''
output payloadStoreUrl string = payloadStore ? '${storage.properties.primaryEndpoints.blob}${payloadContainerName}' : ''
