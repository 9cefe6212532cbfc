// Lets the Function App's identity read the signing keys' secret (SLUICE_SIGNING_KEYS =
// azure-keyvault:<secret URI>): Key Vault Secrets User on that one secret, not on the whole vault.
// Deployed into the vault's resource group; the vault must use Azure RBAC (enableRbacAuthorization).

@description('Principal id of the Function App\'s system-assigned identity.')
param functionPrincipalId string
@description('The vault holding the signing keys, e.g. kv-sluice for https://kv-sluice.vault.azure.net/secrets/signing-keys.')
param vaultName string
@description('The secret holding the signing keys.')
param secretName string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: secretName
}

resource signingKeysReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(secret.id, functionPrincipalId, keyVaultSecretsUser)
  scope: secret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}
