// Policies over the parsed templates. Each policy passes on the committed files, and each is shown
// to catch the regression it exists for by mutating a committed file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadProject } from '../policy/bicep.mjs';
import { POLICIES } from '../policy/policies.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const project = loadProject(ROOT);

/** The project with `file` changed by replacing `from` (which must occur) with `to`. */
function mutated(file, from, to) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  assert.ok(text.includes(from), `${file} contains ${JSON.stringify(from)}`);
  return loadProject(ROOT, { [file]: text.replace(from, to) });
}

function assertCatches(policy, project, pattern) {
  const violations = POLICIES[policy](project);
  assert.ok(violations.some((v) => pattern.test(v)), `${policy} should report ${pattern}, reported:\n${violations.join('\n')}`);
}

for (const [name, policy] of Object.entries(POLICIES)) {
  test(`the committed templates satisfy ${name}`, () => {
    assert.deepEqual(policy(project), []);
  });
}

test('local auth must stay off on Service Bus, Cosmos DB, Application Insights and storage', () => {
  assertCatches('localAuthDisabled', mutated('modules/servicebus.bicep', 'disableLocalAuth: true', 'disableLocalAuth: false'),
    /servicebus\.bicep 'namespace': properties\.disableLocalAuth must be true, is false/);
  assertCatches('localAuthDisabled', mutated('modules/cosmos.bicep', 'disableLocalAuth: true', 'disableLocalAuth: false'),
    /cosmos\.bicep 'account': properties\.disableLocalAuth/);
  assertCatches('localAuthDisabled', mutated('modules/monitoring.bicep', 'DisableLocalAuth: true', ''),
    /monitoring\.bicep 'appInsights': properties\.DisableLocalAuth must be true, is not set/);
  assertCatches('localAuthDisabled', mutated('modules/functionapp.bicep', 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: true'),
    /functionapp\.bicep 'storage': properties\.allowSharedKeyAccess must be false/);
});

test('TLS 1.2 is required on every endpoint', () => {
  assertCatches('tls12', mutated('modules/servicebus.bicep', "minimumTlsVersion: '1.2'", "minimumTlsVersion: '1.0'"),
    /servicebus\.bicep 'namespace': properties\.minimumTlsVersion must be "1\.2", is '1\.0'/);
  assertCatches('tls12', mutated('modules/cosmos.bicep', "minimalTlsVersion: 'Tls12'", "minimalTlsVersion: 'Tls11'"),
    /cosmos\.bicep 'account': properties\.minimalTlsVersion/);
  assertCatches('tls12', mutated('modules/functionapp.bicep', "minTlsVersion: '1.2'", "minTlsVersion: '1.0'"),
    /functionapp\.bicep 'functionApp': properties\.siteConfig\.minTlsVersion/);
});

test('the queue keeps maxDeliveryCount, lockDuration and dead-lettering on expiry', () => {
  assertCatches('queueSettings', mutated('modules/servicebus.bicep', 'maxDeliveryCount: maxDeliveryCount\n', ''),
    /'queue': properties\.maxDeliveryCount must be set/);
  assertCatches('queueSettings', mutated('modules/servicebus.bicep', "lockDuration: 'PT${lockDurationSeconds}S'\n", ''),
    /'queue': properties\.lockDuration must be set/);
  assertCatches('queueSettings', mutated('modules/servicebus.bicep', 'deadLetteringOnMessageExpiration: true', 'deadLetteringOnMessageExpiration: false'),
    /'queue': properties\.deadLetteringOnMessageExpiration must be true/);
});

test('the queue has its <queue>-parking queue', () => {
  assertCatches('parkingQueue', mutated('modules/servicebus.bicep', "name: '${queueName}-parking'", "name: '${queueName}-dead'"),
    /'queue': no parking queue named '\$\{queueName\}-parking'/);
});

test('the idempotency container is partitioned by /pk with TTL on', () => {
  assertCatches('idempotencyContainer', mutated('modules/cosmos.bicep', "'/pk'", "'/id'"),
    /'container': partitionKey\.paths must be \['\/pk'\]/);
  assertCatches('idempotencyContainer', mutated('modules/cosmos.bicep', 'defaultTtl: idempotencyTtlSeconds', 'analyticalStorageTtl: 0'),
    /'container': defaultTtl must turn TTL on/);
});

test('the Function App runs Java 21 on Flex Consumption with its own identity and Sluice settings', () => {
  assertCatches('functionApp', mutated('modules/functionapp.bicep', "version: '21'", "version: '17'"),
    /properties\.functionAppConfig\.runtime\.version must be "21"/);
  assertCatches('functionApp', mutated('modules/functionapp.bicep', "type: 'SystemAssigned'\n", "type: 'None'\n"),
    /identity\.type must be "SystemAssigned"/);
  assertCatches('functionApp', mutated('modules/functionapp.bicep', "name: 'FC1'", "name: 'Y1'"),
    /'plan': sku\.name must be "FC1"/);
  assertCatches('functionApp', mutated('modules/functionapp.bicep', "name: 'IDEMPOTENCY_CONTAINER'", "name: 'IDEMPOTENCY_TABLE'"),
    /app setting IDEMPOTENCY_CONTAINER is missing/);
  assertCatches('functionApp', mutated('modules/functionapp.bicep', "name: 'ServiceBusConnection__fullyQualifiedNamespace'", "name: 'SERVICEBUS_NAMESPACE'"),
    /app setting ServiceBusConnection__fullyQualifiedNamespace is missing/);
});

test('dead-lettered and parked messages alert the action group', () => {
  assertCatches('alertsToActionGroup', mutated('modules/alerts.bicep', "metricName: 'DeadletteredMessages'", "metricName: 'IncomingMessages'"),
    /no metric alert on DeadletteredMessages/);
  assertCatches('alertsToActionGroup', mutated('modules/alerts.bicep', 'parkingQueueName\n              ]', 'queueName\n              ]'),
    /no metric alert on ActiveMessages of the parking queue/);
  assertCatches('alertsToActionGroup', mutated('modules/alerts.bicep', 'threshold: 0', 'threshold: 10'),
    /'deadLetteredAlert': must fire when DeadletteredMessages > 0/);
  assertCatches('alertsToActionGroup', mutated('modules/alerts.bicep', 'actionGroupId: actionGroup.id', "actionGroupId: '/subscriptions/x/ag'"),
    /'deadLetteredAlert': actions must target an action group/);
});

test('role assignments go to the Function App identity only, with allowed roles on narrow scopes', () => {
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/roles.bicep', 'principalId: functionPrincipalId', "principalId: '11111111-2222-3333-4444-555555555555'"),
    /roles\.bicep 'queueReceiver': principalId '11111111-2222-3333-4444-555555555555' is not the Function App's/);
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('main.bicep', 'functionPrincipalId: functionApp.outputs.principalId', 'functionPrincipalId: deployer().objectId'),
    /principalId functionPrincipalId is not the Function App's system-assigned identity/);
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/functionapp.bicep', 'output principalId string = functionApp.identity.principalId', 'output principalId string = storage.id'),
    /is not the Function App's system-assigned identity/);
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/roles.bicep', "var serviceBusDataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'", "var serviceBusDataReceiver = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'"),
    /'queueReceiver': role 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 is not an allowed data-plane role/);
  assertCatches('roleAssignmentsForFunctionIdentity', mutated('modules/roles.bicep', 'scope: queue\n', 'scope: namespace\n'),
    /'queueReceiver': Service Bus roles must be scoped to a queue/);
  assertCatches('roleAssignmentsForFunctionIdentity',
    mutated('modules/roles.bicep', "scope: '${cosmosAccount.id}/dbs/${cosmosDatabaseName}/colls/${idempotencyContainerName}'", "scope: cosmosAccount.id"),
    /'idempotencyData': Cosmos data roles must be scoped to a database or container/);
  assertCatches('roleAssignmentsForFunctionIdentity', mutated('modules/roles.bicep', 'scope: parkingQueue\n', 'scope: queue\n'),
    /missing role assignment: Azure Service Bus Data Sender on parking queue/);
});

test('no secret or connection string in outputs or app settings', () => {
  assertCatches('noSecrets', mutated('modules/servicebus.bicep', 'output namespaceName string = namespace.name',
    "output namespaceName string = namespace.name\noutput primaryConnectionString string = listKeys('${namespace.id}/AuthorizationRules/RootManageSharedAccessKey', '2024-01-01').primaryConnectionString"),
  /listKeys\(\) reads secrets/);
  assertCatches('noSecrets', mutated('modules/servicebus.bicep', 'output namespaceName string = namespace.name',
    "output namespaceName string = namespace.name\noutput sasKey string = 'x'"),
  /output 'sasKey' exposes a secret/);
  assertCatches('noSecrets', mutated('modules/functionapp.bicep', "name: 'AzureWebJobsStorage__accountName'", "name: 'AzureWebJobsStorage'"),
    /app setting AzureWebJobsStorage holds a secret or connection string/);
  assertCatches('noSecrets', mutated('modules/functionapp.bicep', "name: 'ServiceBusConnection__fullyQualifiedNamespace'", "name: 'ServiceBusConnection'"),
    /app setting ServiceBusConnection holds a secret or connection string/);
  assertCatches('noSecrets', mutated('modules/functionapp.bicep', "value: 'Authorization=AAD'", "value: 'Authorization=None'"),
    /app setting APPLICATIONINSIGHTS_CONNECTION_STRING holds a secret/);
  assertCatches('noSecrets', mutated('modules/functionapp.bicep', 'value: serviceBusFullyQualifiedNamespace\n',
    "value: 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc'\n"),
  /embeds a key/);
});

test('parameter files stay consistent with main.bicep', () => {
  assertCatches('parameterFiles', mutated('main.dev.bicepparam', 'param idempotencyTtlSeconds = 1296000', 'param idempotencyTtlSeconds = 86400'),
    /main\.dev\.bicepparam: idempotencyTtlSeconds \(86400\) must be at least parkingRetentionDays plus a 7-day redrive window \(1209600\)/);
  assertCatches('parameterFiles', mutated('main.dev.bicepparam', 'param signatureMaxAgeSeconds = 1209600', 'param signatureMaxAgeSeconds = 1209599'),
    /main\.dev\.bicepparam: signatureMaxAgeSeconds \(1209599\) must be at least parkingRetentionDays plus a 7-day redrive window \(1209600\)/);
  assertCatches('parameterFiles', mutated('main.dev.bicepparam', 'param idempotencyTtlSeconds = 1296000', 'param idempotencyTtlSeconds = 1209899'),
    /main\.dev\.bicepparam: signatureMaxAgeSeconds \(1209600\) plus signatureClockSkewSeconds \(300\) must be at most idempotencyTtlSeconds \(1209899\)/);
  assertCatches('parameterFiles', mutated('main.dev.bicepparam', "param baseName = 'sluice-orders-dev'\n", ''),
    /main\.dev\.bicepparam: required parameter 'baseName' is not set/);
  assertCatches('parameterFiles', mutated('main.prod.bicepparam', 'param lockDurationSeconds = 120', 'param lockDurationSeconds = 600'),
    /lockDurationSeconds = 600 is outside \[5, 300\]/);
  assertCatches('parameterFiles', mutated('main.prod.bicepparam', "param environmentName = 'prod'", "param environmentName = 'staging'"),
    /environmentName = "staging" is not one of/);
  assertCatches('parameterFiles', mutated('main.prod.bicepparam', 'param maxDeliveryCount = 10', 'param maxDeliveryCount = 10\nparam deliveryCount = 3'),
    /main\.bicep has no parameter 'deliveryCount'/);
  assertCatches('parameterFiles', mutated('main.prod.bicepparam', "using './main.bicep'", "using './other.bicep'"),
    /must start with using '\.\/main\.bicep'/);
});
