// The signing keys' Key Vault secret and the claim-check payload store: what the committed templates
// declare, and that each policy catches the regression it exists for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { created, get, literal, loadProject, params, stringValue } from '../policy/bicep.mjs';
import { ALLOWED_ROLES, POLICIES, appSettings } from '../policy/policies.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const project = loadProject(ROOT);
const file = (rel) => project.files.get(rel);

function mutated(rel, from, to) {
  const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
  assert.ok(text.includes(from), `${rel} contains ${JSON.stringify(from)}`);
  return loadProject(ROOT, { [rel]: text.replace(from, to) });
}

function assertCatches(policy, changed, pattern) {
  const violations = POLICIES[policy](changed);
  assert.ok(violations.some((v) => pattern.test(v)), `${policy} should report ${pattern}, reported:\n${violations.join('\n')}`);
}

function roleAssignment(rel, symbol) {
  const ra = created(file(rel), 'Microsoft.Authorization/roleAssignments').find((r) => r.symbol === symbol);
  assert.ok(ra, `${rel} declares ${symbol}`);
  return ra;
}

function settings() {
  const site = created(file('modules/functionapp.bicep'), 'Microsoft.Web/sites')[0];
  return new Map(appSettings(site).map((s) => [s.name, s]));
}

test('both features are off by default, and the dev parameters turn the payload store on', () => {
  const main = params(project.main);
  assert.equal(literal(main.get('signingKeysSecretUri').defaultValue), '');
  assert.equal(literal(main.get('payloadStore').defaultValue), false);
  assert.equal(literal(main.get('deletePayloadsAfterSuccess').defaultValue), true);
  // 14-day queue TTL + 14 days parked + a 7-day redrive window
  assert.equal(literal(main.get('payloadRetentionDays').defaultValue), 35);
  const dev = fs.readFileSync(path.join(ROOT, 'main.dev.bicepparam'), 'utf8');
  assert.match(dev, /^param payloadStore = true$/m);
  assert.match(dev, /^param payloadRetentionDays = 28$/m);
});

test('the app identity gets Key Vault Secrets User on the signing keys\' secret only', () => {
  const ra = roleAssignment('modules/keyvault-access.bicep', 'signingKeysReader');
  assert.equal(get(ra.body, 'scope').text, 'secret');
  assert.match(fs.readFileSync(path.join(ROOT, 'modules/keyvault-access.bicep'), 'utf8'),
    /var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'/);
  assert.equal(ALLOWED_ROLES['4633458b-17de-408a-b874-0445c86b69e6'], 'Key Vault Secrets User');
  const module = project.main.root.text;
  assert.match(module, /module signingKeysAccess 'modules\/keyvault-access\.bicep' = if \(!empty\(signingKeysSecretUri\)\)/);
  assert.match(module, /scope: resourceGroup\(signingKeysVaultResourceGroup\)/);
});

test('the app identity gets Storage Blob Data Contributor on the payloads container, only with a payload store', () => {
  const ra = roleAssignment('modules/roles.bicep', 'payloadData');
  assert.equal(get(ra.body, 'scope').text, 'payloadContainer');
  assert.match(fs.readFileSync(path.join(ROOT, 'modules/roles.bicep'), 'utf8'),
    /var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'/);
  assert.match(fs.readFileSync(path.join(ROOT, 'modules/roles.bicep'), 'utf8'),
    /resource payloadData '[^']+' = if \(!empty\(payloadContainerName\)\)/);
});

test('the app settings name the secret and the payload container, each only when configured', () => {
  const s = settings();
  assert.equal(stringValue(s.get('SLUICE_SIGNING_KEYS').value), 'azure-keyvault:${signingKeysSecretUri}');
  assert.equal(s.get('SLUICE_SIGNING_KEYS').condition, '!(empty(signingKeysSecretUri))');
  // primaryEndpoints.blob is https://<account>.blob.core.windows.net/ : no second slash
  assert.equal(stringValue(s.get('SLUICE_PAYLOAD_STORE').value), '${storage.properties.primaryEndpoints.blob}${payloadContainerName}');
  assert.equal(s.get('SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS').value.text, "deletePayloadsAfterSuccess ? 'true' : 'false'");
  assert.equal(s.get('SLUICE_PAYLOAD_STORE').condition, '!(!payloadStore)');
  // the settings every consumer needs stay unconditional
  assert.equal(s.get('QUEUE_NAME').condition, undefined);
});

test('the payloads container is private, in a storage account without public blob access or shared keys', () => {
  const fa = file('modules/functionapp.bicep');
  const container = created(fa, 'Microsoft.Storage/storageAccounts/blobServices/containers').find((c) => c.symbol === 'payloadContainer');
  assert.equal(literal(get(container.body, 'properties.publicAccess')), 'None');
  const storage = created(fa, 'Microsoft.Storage/storageAccounts')[0];
  assert.equal(literal(get(storage.body, 'properties.allowBlobPublicAccess')), false);
  assert.equal(literal(get(storage.body, 'properties.allowSharedKeyAccess')), false);
  assert.equal(literal(get(storage.body, 'properties.minimumTlsVersion')), 'TLS1_2');
});

test('the lifecycle rule deletes payloads after payloadRetentionDays', () => {
  const policy = created(file('modules/functionapp.bicep'), 'Microsoft.Storage/storageAccounts/managementPolicies')[0];
  const rule = get(policy.body, 'properties.policy.rules').namedChildren[0];
  assert.equal(literal(get(policy.body, 'name')), 'default');
  assert.equal(literal(get(rule, 'enabled')), true);
  assert.deepEqual(literal(get(rule, 'definition.filters.blobTypes')), ['blockBlob']);
  assert.equal(stringValue(get(rule, 'definition.filters.prefixMatch').namedChildren[0]), '${payloadContainerName}/');
  assert.equal(get(rule, 'definition.actions.baseBlob.delete.daysAfterModificationGreaterThan').text, 'payloadRetentionDays');
});

test('the policies catch a wrong Key Vault role, scope or setting', () => {
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/keyvault-access.bicep', "'4633458b-17de-408a-b874-0445c86b69e6'", "'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'"),
    /'signingKeysReader': role b86a8fe4-44ce-4948-aee5-eccb2c155cd7 is not an allowed data-plane role/);
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/keyvault-access.bicep', 'principalId: functionPrincipalId', "principalId: '11111111-2222-3333-4444-555555555555'"),
    /'signingKeysReader': principalId .* is not the Function App's/);
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/keyvault-access.bicep', 'scope: secret\n', 'scope: resourceGroup()\n'),
    /missing role assignment: Key Vault Secrets User/);
  assertCatches('noSecrets',
    mutated('modules/functionapp.bicep', "value: 'azure-keyvault:${signingKeysSecretUri}'", "value: 'k1:c2VjcmV0'"),
    /app setting SLUICE_SIGNING_KEYS must name a Key Vault secret/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', "], empty(signingKeysSecretUri) ? [] : [", "], true ? [] : ["),
    /SLUICE_SIGNING_KEYS must be set only when signingKeysSecretUri is/);
  assertCatches('parameterFiles',
    mutated('main.prod.bicepparam', 'param maxDeliveryCount = 10', "param maxDeliveryCount = 10\nparam signingKeysSecretUri = 'https://kv-sluice.vault.azure.net/secrets/signing-keys/0123abcd'"),
    /signingKeysSecretUri '.*' must be https:\/\/<vault>\.vault\.azure\.net\/secrets\/<name>, without a version/);
  assert.deepEqual(POLICIES.parameterFiles(mutated('main.prod.bicepparam', 'param maxDeliveryCount = 10',
    "param maxDeliveryCount = 10\nparam signingKeysSecretUri = 'https://kv-sluice.vault.azure.net/secrets/signing-keys'")), []);
});

test('the policies catch a wrong payload role, setting, public access or lifecycle rule', () => {
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/roles.bicep', "var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'", "var storageBlobDataContributor = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'"),
    /missing role assignment: Storage Blob Data Contributor on Microsoft\.Storage\/storageAccounts\/blobServices\/containers/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', "value: '${storage.properties.primaryEndpoints.blob}${payloadContainerName}'", "value: '${storage.properties.primaryEndpoints.blob}/${payloadContainerName}'"),
    /SLUICE_PAYLOAD_STORE must be '\$\{storage\.properties\.primaryEndpoints\.blob\}payloads'/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', "value: deletePayloadsAfterSuccess ? 'true' : 'false'", 'value: string(deletePayloadsAfterSuccess)'),
    /SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS must be deletePayloadsAfterSuccess \? 'true' : 'false'/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', "name: payloadContainerName\n  properties: {\n    publicAccess: 'None'", "name: payloadContainerName\n  properties: {\n    publicAccess: 'Blob'"),
    /'payloadContainer': properties\.publicAccess must be "None", is 'Blob'/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', 'allowBlobPublicAccess: false', 'allowBlobPublicAccess: true'),
    /'storage': properties\.allowBlobPublicAccess must be false/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', 'daysAfterModificationGreaterThan: payloadRetentionDays', 'daysAfterModificationGreaterThan: 1'),
    /the payload lifecycle rule must delete blobs after payloadRetentionDays, is 1/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('modules/functionapp.bicep', "'${payloadContainerName}/'", "'app-package/'"),
    /expected one enabled lifecycle rule with prefixMatch 'payloads\/', found 0/);
  assertCatches('claimCheckAndSigningKeys',
    mutated('main.bicep', 'payloadContainerName: functionApp.outputs.payloadContainerName\n', ''),
    /must pass functionApp\.outputs\.payloadContainerName to the roles module/);
});

test('payloads must outlive the queue TTL plus the parking retention', () => {
  // dev parks 7 days: 14 + 7 = 21 days at least
  assertCatches('parameterFiles', mutated('main.dev.bicepparam', 'param payloadRetentionDays = 28', 'param payloadRetentionDays = 20'),
    /main\.dev\.bicepparam: payloadRetentionDays \(20\) must be at least the queue's 14-day message TTL plus parkingRetentionDays \(21\)/);
  assert.deepEqual(POLICIES.parameterFiles(mutated('main.dev.bicepparam', 'param payloadRetentionDays = 28', 'param payloadRetentionDays = 21')), []);
});
