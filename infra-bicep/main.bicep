// Sluice on Azure: one Service Bus-triggered consumer with its queue, parking queue, idempotency
// container, Flex Consumption Function App, least-privilege role assignments, alerts and a workbook.
//
//   az bicep build --file infra-bicep/main.bicep
//   az deployment group what-if --resource-group <rg> --template-file infra-bicep/main.bicep \
//     --parameters infra-bicep/main.dev.bicepparam
targetScope = 'resourceGroup'

@description('Short name shared by every resource (letters, digits and hyphens).')
@minLength(3)
@maxLength(20)
param baseName string

@description('Environment label, added as a tag.')
@allowed([
  'dev'
  'test'
  'prod'
])
param environmentName string

@description('Region of every resource.')
param location string = resourceGroup().location

@description('The queue the function consumes; its parking queue is <queueName>-parking.')
param queueName string = 'order-events'

@description('Deliveries before Service Bus dead-letters a message itself (the crash safety net). On a session queue it is raised to at least maxRetryAttempts x maxMessageBatchSize + 10: every abandon of a session batch counts for each message in it.')
@minValue(1)
@maxValue(2000)
param maxDeliveryCount int = 10

@description('host.json maxMessageBatchSize of the function app (the example uses 32); sizes maxDeliveryCount on a session queue.')
@minValue(1)
@maxValue(1000)
param maxMessageBatchSize int = 32

@description('Peek-lock duration in seconds (Service Bus allows at most 5 minutes).')
@minValue(5)
@maxValue(300)
param lockDurationSeconds int = 60

@description('Session-enabled queue: messages of one session run in order.')
param requiresSession bool = false

@description('How long the parking queue keeps dead letters, in days.')
@minValue(1)
@maxValue(14)
param parkingRetentionDays int = 14

@description('Executions per message, the first included (QUEUE_MAX_RETRY_ATTEMPTS).')
@minValue(1)
param maxRetryAttempts int = 3

@description('Retry backoff base in milliseconds (QUEUE_RETRY_BACKOFF_MS).')
@minValue(0)
param retryBackoffMs int = 1000

@description('Retry backoff cap in milliseconds (QUEUE_RETRY_BACKOFF_MAX_MS).')
@minValue(0)
param retryBackoffMaxMs int = 300000

@description('Idempotency record lifetime in seconds: at least the parking retention plus the redrive window, and at least signatureMaxAgeSeconds plus signatureClockSkewSeconds.')
@minValue(60)
param idempotencyTtlSeconds int = 1900800

@description('Oldest signed sent-at the consumer accepts (SLUICE_SIGNATURE_MAX_AGE_SECONDS): at least the parking retention plus the redrive window, so a redrive within the window is never refused as stale.')
@minValue(60)
param signatureMaxAgeSeconds int = 1814400

@description('How far in the future a signed sent-at may lie (SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS).')
@minValue(0)
@maxValue(3600)
param signatureClockSkewSeconds int = 300

@description('Key Vault secret holding the signing keys, https://<vault>.vault.azure.net/secrets/<name> without a version (rotations are picked up). Sets SLUICE_SIGNING_KEYS = azure-keyvault:<uri> and gives the app Key Vault Secrets User on that secret. Empty: no secret (keys, if any, set elsewhere).')
param signingKeysSecretUri string = ''

@description('Resource group of the signing keys\' vault (the vault must use Azure RBAC).')
param signingKeysVaultResourceGroup string = resourceGroup().name

@description('Claim-check store for large payloads: the container payloads in the host storage account, SLUICE_PAYLOAD_STORE, and Storage Blob Data Contributor on the container for the app.')
param payloadStore bool = false

@description('Days after which stored payloads are deleted: at least the queue\'s 14-day message TTL plus parkingRetentionDays (a payload is stored when its message is sent; a parked message whose payload is gone cannot be redriven). Default: 14 + 14 + a 7-day redrive window.')
@minValue(15)
@maxValue(3650)
param payloadRetentionDays int = 35

@description('SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS: the consumer deletes a payload once its message succeeded.')
param deletePayloadsAfterSuccess bool = true

@description('Flex Consumption: most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption: memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('E-mail addresses the alerts notify.')
param alertEmails string[] = []

@description('Parking rate alert: parked (Sluice dead-lettered) messages per received message, in percent, over 5 minutes.')
@minValue(1)
@maxValue(100)
param deadLetterRateAlertPercent int = 5

@description('Retry rate alert: retries per received message, in percent, over 5 minutes.')
@minValue(1)
@maxValue(100)
param retryRateAlertPercent int = 10

@description('Handler latency alert: 95th percentile handler duration in milliseconds, over 5 minutes.')
@minValue(1)
param handlerLatencyP95AlertMs int = 500

@description('Queue growth alert: consecutive 5-minute windows in which the queue depth must be above its learned band.')
@minValue(2)
@maxValue(6)
param queueGrowthAlertWindows int = 3

@description('Queue growth alert: Dynamic thresholds sensitivity (High fires on smaller deviations).')
@allowed([
  'Low'
  'Medium'
  'High'
])
param queueGrowthAlertSensitivity string = 'Medium'

@description('Function errors alert: failed invocations in 5 minutes above which it fires.')
@minValue(0)
param functionErrorsAlertThreshold int = 0

@description('Tags added to every resource.')
param tags object = {}

var suffix = uniqueString(resourceGroup().id, baseName)
// a session batch with a retry is abandoned, which counts a delivery for every message in it (README, Azure sessions)
var effectiveMaxDeliveryCount = requiresSession ? max(maxDeliveryCount, maxRetryAttempts * maxMessageBatchSize + 10) : maxDeliveryCount
// https://<vault>.vault.azure.net/secrets/<name>[/<version>] -> <vault>, <name> ('' when not set)
var signingKeysVaultName = first(split(replace(signingKeysSecretUri, 'https://', ''), '.'))
var signingKeysSecretName = join(take(skip(split(signingKeysSecretUri, '/'), 4), 1), '')
var allTags = union(tags, {
  application: 'sluice'
  environment: environmentName
})

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    baseName: baseName
    suffix: suffix
    location: location
    tags: allTags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    namespaceName: 'sb-${baseName}-${suffix}'
    location: location
    tags: allTags
    queueName: queueName
    maxDeliveryCount: effectiveMaxDeliveryCount
    lockDurationSeconds: lockDurationSeconds
    requiresSession: requiresSession
    parkingRetentionDays: parkingRetentionDays
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: toLower('cosmos-${baseName}-${suffix}')
    location: location
    tags: allTags
    idempotencyTtlSeconds: idempotencyTtlSeconds
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    appName: 'func-${baseName}-${suffix}'
    planName: 'plan-${baseName}-${suffix}'
    storageAccountName: take(toLower('st${replace(baseName, '-', '')}${suffix}'), 24)
    location: location
    tags: allTags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    queueName: serviceBus.outputs.queueName
    parkingQueueName: serviceBus.outputs.parkingQueueName
    lockDurationSeconds: lockDurationSeconds
    maxRetryAttempts: maxRetryAttempts
    retryBackoffMs: retryBackoffMs
    retryBackoffMaxMs: retryBackoffMaxMs
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    idempotencyContainerName: cosmos.outputs.containerName
    idempotencyTtlSeconds: idempotencyTtlSeconds
    signatureMaxAgeSeconds: signatureMaxAgeSeconds
    signatureClockSkewSeconds: signatureClockSkewSeconds
    signingKeysSecretUri: signingKeysSecretUri
    payloadStore: payloadStore
    payloadRetentionDays: payloadRetentionDays
    deletePayloadsAfterSuccess: deletePayloadsAfterSuccess
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    functionPrincipalId: functionApp.outputs.principalId
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    queueName: serviceBus.outputs.queueName
    parkingQueueName: serviceBus.outputs.parkingQueueName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmos.outputs.databaseName
    idempotencyContainerName: cosmos.outputs.containerName
    storageAccountName: functionApp.outputs.storageAccountName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    payloadContainerName: functionApp.outputs.payloadContainerName
  }
}

module signingKeysAccess 'modules/keyvault-access.bicep' = if (!empty(signingKeysSecretUri)) {
  name: 'signing-keys-access'
  scope: resourceGroup(signingKeysVaultResourceGroup)
  params: {
    functionPrincipalId: functionApp.outputs.principalId
    vaultName: signingKeysVaultName
    secretName: signingKeysSecretName
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    baseName: baseName
    tags: allTags
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    queueName: serviceBus.outputs.queueName
    parkingQueueName: serviceBus.outputs.parkingQueueName
    alertEmails: alertEmails
    location: location
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    functionAppName: functionApp.outputs.appName
    deadLetterRateAlertPercent: deadLetterRateAlertPercent
    retryRateAlertPercent: retryRateAlertPercent
    handlerLatencyP95AlertMs: handlerLatencyP95AlertMs
    queueGrowthAlertWindows: queueGrowthAlertWindows
    queueGrowthAlertSensitivity: queueGrowthAlertSensitivity
    functionErrorsAlertThreshold: functionErrorsAlertThreshold
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    baseName: baseName
    location: location
    tags: allTags
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    queueName: serviceBus.outputs.queueName
    parkingQueueName: serviceBus.outputs.parkingQueueName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    functionAppName: functionApp.outputs.appName
    alertRuleIds: alerts.outputs.alertRuleIds
  }
}

output functionAppName string = functionApp.outputs.appName
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output queueName string = serviceBus.outputs.queueName
output parkingQueueName string = serviceBus.outputs.parkingQueueName
output cosmosEndpoint string = cosmos.outputs.endpoint
output actionGroupId string = alerts.outputs.actionGroupId
output workbookId string = workbook.outputs.workbookId
// where producers put payloads (grant them Storage Blob Data Contributor on the container); '' without a payload store
output payloadStoreUrl string = functionApp.outputs.payloadStoreUrl
