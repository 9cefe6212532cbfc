// Policies over the parsed Bicep project. Each returns a list of violations (empty = compliant),
// each naming the file and the resource so a reviewer can find it.
import {
  created, decoratorValues, elements, get, getKey, literal, modules, outputs, params, resources,
  stringValue, variables, walk, calledFunctions,
} from './bicep.mjs';

const SERVICE_BUS = 'Microsoft.ServiceBus/namespaces';
const QUEUE = 'Microsoft.ServiceBus/namespaces/queues';
const COSMOS = 'Microsoft.DocumentDB/databaseAccounts';
const CONTAINER = 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers';
const STORAGE = 'Microsoft.Storage/storageAccounts';
const APP_INSIGHTS = 'Microsoft.Insights/components';
const SITE = 'Microsoft.Web/sites';
const PLAN = 'Microsoft.Web/serverfarms';
const METRIC_ALERT = 'Microsoft.Insights/metricAlerts';
const ACTION_GROUP = 'Microsoft.Insights/actionGroups';
const ROLE_ASSIGNMENT = 'Microsoft.Authorization/roleAssignments';
const SQL_ROLE_ASSIGNMENT = 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments';
const LOG_ALERT = 'Microsoft.Insights/scheduledQueryRules';
const WORKBOOK = 'Microsoft.Insights/workbooks';
const BLOB_CONTAINER = 'Microsoft.Storage/storageAccounts/blobServices/containers';
const MANAGEMENT_POLICY = 'Microsoft.Storage/storageAccounts/managementPolicies';
const KEY_VAULT = 'Microsoft.KeyVault/vaults';
const KEY_VAULT_SECRET = 'Microsoft.KeyVault/vaults/secrets';
/** The consumer queue's defaultMessageTimeToLive (modules/servicebus.bicep), in days. */
const QUEUE_TTL_DAYS = 14;
/** The claim-check container's name. */
const PAYLOAD_CONTAINER = 'payloads';

/** The only roles the Function App's identity may hold. */
export const ALLOWED_ROLES = {
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  '00000000-0000-0000-0000-000000000002': 'Cosmos DB Built-in Data Contributor',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'Storage Blob Data Contributor',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
};

/** App settings Sluice reads on Azure (DESIGN.md section 8, managed-identity flavour). */
export const SLUICE_APP_SETTINGS = [
  'QUEUE_NAME', 'QUEUE_DLQ_NAME', 'QUEUE_MAX_RETRY_ATTEMPTS', 'QUEUE_RETRY_BACKOFF_MS',
  'QUEUE_RETRY_BACKOFF_MAX_MS', 'QUEUE_VISIBILITY_TIMEOUT_SECONDS', 'IDEMPOTENCY_CONTAINER',
  'IDEMPOTENCY_TTL_SECONDS', 'COSMOS_ENDPOINT', 'COSMOS_DATABASE',
  // identity-based connection of the trigger (connection = "ServiceBusConnection"), also read by
  // Sluice's re-publisher
  'ServiceBusConnection__fullyQualifiedNamespace',
];

/** The only connection-string-named setting allowed, and why: see {@link noSecrets}. */
const APP_INSIGHTS_ADDRESS = 'APPLICATIONINSIGHTS_CONNECTION_STRING';
const SECRET_NAME = /(connection_?string|accountkey|access_?key|secret|password|passwd|sas|token|apikey|(^|_)key$)/i;
const SECRET_VALUE = /(AccountKey=|SharedAccessKey|SharedAccessSignature|DefaultEndpointsProtocol=|Password=)/i;
const REDRIVE_WINDOW_DAYS = 7;

function all(project, type) {
  return project.bicepFiles.flatMap((file) => created(file, type).map((r) => ({ ...r, parsed: file })));
}

function where(resource) {
  return `${resource.file} '${resource.symbol}'`;
}

function expectLiteral(violations, resource, path, expected) {
  const actual = literal(get(resource.body, path));
  if (actual !== expected) {
    violations.push(`${where(resource)}: ${path} must be ${JSON.stringify(expected)}, is ${describe(get(resource.body, path))}`);
  }
}

function describe(node) {
  return node ? node.text : 'not set';
}

function expectSome(violations, list, what) {
  if (list.length === 0) violations.push(`no ${what} is declared`);
  return list;
}

/** Service Bus, Cosmos DB, Application Insights and storage accept Entra ID tokens only. */
export function localAuthDisabled(project) {
  const v = [];
  for (const ns of expectSome(v, all(project, SERVICE_BUS), 'Service Bus namespace')) expectLiteral(v, ns, 'properties.disableLocalAuth', true);
  for (const account of expectSome(v, all(project, COSMOS), 'Cosmos DB account')) expectLiteral(v, account, 'properties.disableLocalAuth', true);
  for (const ai of all(project, APP_INSIGHTS)) expectLiteral(v, ai, 'properties.DisableLocalAuth', true);
  for (const storage of all(project, STORAGE)) expectLiteral(v, storage, 'properties.allowSharedKeyAccess', false);
  return v;
}

/** Every endpoint requires TLS 1.2 or newer. */
export function tls12(project) {
  const v = [];
  for (const ns of all(project, SERVICE_BUS)) expectLiteral(v, ns, 'properties.minimumTlsVersion', '1.2');
  for (const account of all(project, COSMOS)) expectLiteral(v, account, 'properties.minimalTlsVersion', 'Tls12');
  for (const storage of all(project, STORAGE)) expectLiteral(v, storage, 'properties.minimumTlsVersion', 'TLS1_2');
  for (const site of all(project, SITE)) {
    expectLiteral(v, site, 'properties.siteConfig.minTlsVersion', '1.2');
    expectLiteral(v, site, 'properties.httpsOnly', true);
  }
  return v;
}

function queues(project) {
  const list = all(project, QUEUE).map((q) => ({ ...q, name: stringValue(get(q.body, 'name')) ?? describe(get(q.body, 'name')) }));
  return {
    main: list.filter((q) => !q.name.endsWith('-parking')),
    parking: list.filter((q) => q.name.endsWith('-parking')),
  };
}

/** The consumer's queue sets maxDeliveryCount and lockDuration and dead-letters expired messages. */
export function queueSettings(project) {
  const v = [];
  for (const q of expectSome(v, queues(project).main, 'Service Bus queue')) {
    for (const path of ['properties.maxDeliveryCount', 'properties.lockDuration']) {
      if (!get(q.body, path)) v.push(`${where(q)}: ${path} must be set`);
    }
    expectLiteral(v, q, 'properties.deadLetteringOnMessageExpiration', true);
  }
  return v;
}

/** Each queue has its parking queue `<queue>-parking`, where Sluice puts dead letters. */
export function parkingQueue(project) {
  const v = [];
  const { main, parking } = queues(project);
  const parkingNames = new Set(parking.map((p) => p.name));
  for (const q of main) {
    const expected = get(q.body, 'name').type === 'identifier' ? '${' + q.name + '}-parking' : `${q.name}-parking`;
    if (!parkingNames.has(expected)) v.push(`${where(q)}: no parking queue named '${expected}'`);
  }
  for (const p of parking) expectLiteral(v, p, 'properties.deadLetteringOnMessageExpiration', true);
  return v;
}

/** The idempotency container is partitioned by /pk and has TTL on. */
export function idempotencyContainer(project) {
  const v = [];
  for (const c of expectSome(v, all(project, CONTAINER), 'Cosmos DB container')) {
    const paths = literal(get(c.body, 'properties.resource.partitionKey.paths'));
    if (JSON.stringify(paths) !== JSON.stringify(['/pk'])) {
      v.push(`${where(c)}: partitionKey.paths must be ['/pk'], is ${describe(get(c.body, 'properties.resource.partitionKey.paths'))}`);
    }
    const ttl = get(c.body, 'properties.resource.defaultTtl');
    const ttlValue = ttl?.type === 'identifier' ? minOrDefault(c.parsed, ttl.text) : literal(ttl);
    if (!ttl || !(ttlValue === -1 || ttlValue > 0)) {
      v.push(`${where(c)}: defaultTtl must turn TTL on (-1 or a positive number of seconds), is ${describe(ttl)}`);
    }
  }
  return v;
}

function minOrDefault(parsed, paramName) {
  const param = params(parsed).get(paramName);
  if (!param) return undefined;
  return decoratorValues(param).minValue ?? literal(param.defaultValue) ?? 1;
}

/**
 * The app settings of a site: an array literal, or concat() of array literals and conditional
 * groups `condition ? [] : [...]` (each setting of a group carries the condition under which it is set).
 */
export function appSettings(site) {
  const settings = [];
  const collect = (node, condition) => {
    if (!node) return;
    if (node.type === 'array') {
      for (const s of elements(node)) {
        settings.push({ name: stringValue(get(s, 'name')) ?? describe(get(s, 'name')), value: get(s, 'value'), condition });
      }
    } else if (node.type === 'call_expression' && node.namedChildren[0].text === 'concat') {
      node.namedChildren[1].namedChildren.filter((c) => c.type !== 'comment').forEach((arg) => collect(arg, condition));
    } else if (node.type === 'ternary_expression') {
      const [test, whenTrue, whenFalse] = node.namedChildren.filter((c) => c.type !== 'comment');
      collect(whenTrue, test.text);
      collect(whenFalse, `!(${test.text})`);
    } else if (node.type === 'parenthesized_expression') {
      collect(node.namedChildren[0], condition);
    }
  };
  collect(get(site.body, 'properties.siteConfig.appSettings'), undefined);
  return settings;
}

/** A Flex Consumption Java 21 Function App with a system-assigned identity and Sluice's settings. */
export function functionApp(project) {
  const v = [];
  for (const site of expectSome(v, all(project, SITE), 'Function App')) {
    expectLiteral(v, site, 'kind', 'functionapp,linux');
    expectLiteral(v, site, 'identity.type', 'SystemAssigned');
    expectLiteral(v, site, 'properties.functionAppConfig.runtime.name', 'java');
    expectLiteral(v, site, 'properties.functionAppConfig.runtime.version', '21');
    const planSymbol = get(site.body, 'properties.serverFarmId')?.text.replace(/\.id$/, '');
    const plan = created(site.parsed, PLAN).find((p) => p.symbol === planSymbol);
    if (!plan) {
      v.push(`${where(site)}: serverFarmId must point at a plan declared in the same file`);
    } else {
      expectLiteral(v, plan, 'sku.name', 'FC1');
      expectLiteral(v, plan, 'sku.tier', 'FlexConsumption');
    }
    const names = appSettings(site).map((s) => s.name);
    for (const setting of SLUICE_APP_SETTINGS) {
      if (!names.includes(setting)) v.push(`${where(site)}: app setting ${setting} is missing`);
    }
  }
  return v;
}

/** Dead-lettered messages > 0 and parking-queue depth > 0 alert an action group. */
export function alertsToActionGroup(project) {
  const v = [];
  const alerts = all(project, METRIC_ALERT).map((alert) => {
    const criteria = elements(getKey(get(alert.body, 'properties.criteria'), 'allOf'));
    return { alert, criteria };
  });
  const find = (metric, entity) => alerts.filter(({ criteria }) => criteria.some((c) =>
    literal(get(c, 'metricName')) === metric
    && elements(get(c, 'dimensions')).some((d) => literal(get(d, 'name')) === 'EntityName'
      && elements(get(d, 'values')).some((value) => entity.test(value.text)))));
  const deadLettered = find('DeadletteredMessages', /^queueName$/);
  const parked = find('ActiveMessages', /parking/i);
  if (deadLettered.length === 0) v.push('no metric alert on DeadletteredMessages of the queue (EntityName = queueName)');
  if (parked.length === 0) v.push('no metric alert on ActiveMessages of the parking queue');
  for (const { alert, criteria } of [...deadLettered, ...parked]) {
    for (const c of criteria) {
      if (literal(get(c, 'operator')) !== 'GreaterThan' || literal(get(c, 'threshold')) !== 0) {
        v.push(`${where(alert)}: must fire when ${literal(get(c, 'metricName'))} > 0 (operator GreaterThan, threshold 0)`);
      }
    }
    const groups = new Set(created(alert.parsed, ACTION_GROUP).map((g) => `${g.symbol}.id`));
    const actions = elements(get(alert.body, 'properties.actions')).map((a) => describe(get(a, 'actionGroupId')));
    if (actions.length === 0 || !actions.every((a) => groups.has(a))) {
      v.push(`${where(alert)}: actions must target an action group declared with it, are [${actions.join(', ')}]`);
    }
    if (literal(get(alert.body, 'properties.enabled')) !== true) v.push(`${where(alert)}: properties.enabled must be true`);
  }
  return v;
}

/**
 * Does `node` (an expression in `parsed`) evaluate to the principalId of a Function App's
 * system-assigned identity? Follows module parameters and module outputs across files.
 */
function isFunctionIdentity(project, parsed, node, seen = new Set()) {
  if (!node) return false;
  if (node.type === 'member_expression') {
    const text = node.text;
    const identity = /^([A-Za-z_]\w*)\.identity\.principalId$/.exec(text);
    if (identity) {
      const site = created(parsed, SITE).find((s) => s.symbol === identity[1]);
      return Boolean(site) && literal(get(site.body, 'identity.type')) === 'SystemAssigned';
    }
    const output = /^([A-Za-z_]\w*)\.outputs\.([A-Za-z_]\w*)$/.exec(text);
    if (output) {
      const module = modules(parsed).find((m) => m.symbol === output[1]);
      const target = module && project.moduleFile(parsed, module.path);
      const out = target && outputs(target).find((o) => o.name === output[2]);
      return Boolean(out) && isFunctionIdentity(project, target, out.value, seen);
    }
    return false;
  }
  if (node.type === 'identifier' && params(parsed).has(node.text)) {
    const key = `${parsed.file}#${node.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const callers = project.bicepFiles.flatMap((from) => modules(from)
      .filter((m) => project.moduleFile(from, m.path) === parsed)
      .map((m) => ({ from, value: get(m.body, `params.${node.text}`) })));
    return callers.length > 0 && callers.every(({ from, value }) => isFunctionIdentity(project, from, value, seen));
  }
  return false;
}

function roleGuid(parsed, node) {
  let guid;
  const vars = variables(parsed);
  walk(node ?? { namedChildren: [] }, (n) => {
    const candidate = n.type === 'identifier' && vars.has(n.text) ? literal(vars.get(n.text)) : literal(n);
    const match = typeof candidate === 'string' && /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.exec(candidate);
    if (match) guid = match[0].toLowerCase();
  });
  return guid;
}

/**
 * Every role assignment is for the Function App's system-assigned identity, grants an allowed
 * data-plane role on a narrow scope (a queue, the idempotency container, the host storage, the
 * Application Insights component), and the consumer's required roles are all there.
 */
export function roleAssignmentsForFunctionIdentity(project) {
  const v = [];
  const granted = [];
  for (const ra of [...all(project, ROLE_ASSIGNMENT), ...all(project, SQL_ROLE_ASSIGNMENT)]) {
    const principal = get(ra.body, 'properties.principalId');
    if (!isFunctionIdentity(project, ra.parsed, principal)) {
      v.push(`${where(ra)}: principalId ${describe(principal)} is not the Function App's system-assigned identity`);
    }
    const role = roleGuid(ra.parsed, get(ra.body, 'properties.roleDefinitionId'));
    if (!ALLOWED_ROLES[role]) v.push(`${where(ra)}: role ${role ?? describe(get(ra.body, 'properties.roleDefinitionId'))} is not an allowed data-plane role`);
    if (ra.type === ROLE_ASSIGNMENT) {
      const scope = get(ra.body, 'scope');
      const target = scope && resources(ra.parsed).find((r) => r.symbol === scope.text);
      if (!target) v.push(`${where(ra)}: scope must be one resource, is ${describe(scope)}`);
      else if (ALLOWED_ROLES[role]?.startsWith('Azure Service Bus') && target.type !== QUEUE) {
        v.push(`${where(ra)}: Service Bus roles must be scoped to a queue, not ${target.type}`);
      }
      else if (ALLOWED_ROLES[role] === 'Key Vault Secrets User' && ![KEY_VAULT_SECRET, KEY_VAULT].includes(target.type)) {
        v.push(`${where(ra)}: Key Vault Secrets User must be scoped to the signing keys' secret or its vault, not ${target.type}`);
      }
      else if (ALLOWED_ROLES[role]?.startsWith('Storage Blob') && ![STORAGE, BLOB_CONTAINER].includes(target.type)) {
        v.push(`${where(ra)}: Storage Blob roles must be scoped to a storage account or container, not ${target.type}`);
      }
      else granted.push(`${ALLOWED_ROLES[role]} on ${target.type === QUEUE && /parking/i.test(target.symbol) ? 'parking queue' : target.type}`);
      expectLiteral(v, ra, 'properties.principalType', 'ServicePrincipal');
    } else {
      const scope = stringValue(get(ra.body, 'properties.scope')) ?? '';
      if (!scope.includes('/dbs/')) v.push(`${where(ra)}: Cosmos data roles must be scoped to a database or container, is '${scope}'`);
      else granted.push(`${ALLOWED_ROLES[role]} on ${scope.includes('/colls/') ? 'container' : 'database'}`);
    }
  }
  for (const required of [`Azure Service Bus Data Receiver on ${QUEUE}`, `Azure Service Bus Data Sender on ${QUEUE}`,
    'Azure Service Bus Data Sender on parking queue', 'Cosmos DB Built-in Data Contributor on container',
    // declared, deployed only with payloadStore / signingKeysSecretUri
    `Storage Blob Data Contributor on ${BLOB_CONTAINER}`, `Key Vault Secrets User on ${KEY_VAULT_SECRET}`]) {
    if (!granted.includes(required)) v.push(`missing role assignment: ${required}`);
  }
  return v;
}

/**
 * No key, SAS or connection string reaches an output or an app setting, and no list*() call
 * (listKeys, listConnectionStrings, ...) reads one. The one setting named like a connection
 * string, APPLICATIONINSIGHTS_CONNECTION_STRING, is an ingestion address when Application
 * Insights has local auth off and the agent authenticates with Entra ID; both are required.
 */
export function noSecrets(project) {
  const v = [];
  for (const file of project.bicepFiles) {
    for (const fn of calledFunctions(file).filter((name) => /^list/i.test(name))) {
      v.push(`${file.file}: ${fn}() reads secrets; use the managed identity instead`);
    }
    for (const out of outputs(file)) {
      if (SECRET_NAME.test(out.name) || /ConnectionString|listKeys|primaryKey|secondaryKey/i.test(out.value.text)) {
        v.push(`${file.file}: output '${out.name}' exposes a secret or connection string`);
      }
    }
  }
  const insightsLocalAuthOff = all(project, APP_INSIGHTS).every((ai) => literal(get(ai.body, 'properties.DisableLocalAuth')) === true);
  for (const site of all(project, SITE)) {
    const settings = appSettings(site);
    for (const { name, value } of settings) {
      const address = name === APP_INSIGHTS_ADDRESS && insightsLocalAuthOff
        && settings.some((s) => s.name === 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING' && literal(s.value) === 'Authorization=AAD');
      // A binding connection without the __fullyQualifiedNamespace suffix is a connection string
      const bindingConnectionString = name === 'AzureWebJobsStorage' || /Connection$/.test(name);
      if ((SECRET_NAME.test(name) && !address) || bindingConnectionString) {
        v.push(`${where(site)}: app setting ${name} holds a secret or connection string`);
      }
      if (value && SECRET_VALUE.test(value.text)) v.push(`${where(site)}: app setting ${name} embeds a key`);
      if (name === 'SLUICE_SIGNING_KEYS' && !(stringValue(value) ?? '').startsWith('azure-keyvault:')) {
        v.push(`${where(site)}: app setting SLUICE_SIGNING_KEYS must name a Key Vault secret (azure-keyvault:<secret URI>), not hold keys, is ${describe(value)}`);
      }
    }
  }
  return v;
}

/**
 * Parameter files target main.bicep, set only its parameters, set every required one, respect
 * its decorators, and keep idempotency records past parking retention plus a redrive window, and the signature
 * maximum age between that window and the record's life.
 */
export function parameterFiles(project) {
  const v = [];
  const declared = params(project.main);
  for (const file of expectSome(v, project.paramFiles, 'parameter file')) {
    const using = file.root.namedChildren.find((c) => c.type === 'using_statement');
    if (!using || !/^(\.\/)?main\.bicep$/.test(stringValue(using.namedChildren[0]))) v.push(`${file.file}: must start with using './main.bicep'`);
    const assigned = new Map(file.root.namedChildren.filter((c) => c.type === 'variable_declaration')
      .map((decl) => [decl.namedChildren[0].text, decl.namedChildren[1]]));
    for (const [name, node] of assigned) {
      const param = declared.get(name);
      if (!param) { v.push(`${file.file}: main.bicep has no parameter '${name}'`); continue; }
      const value = literal(node);
      const rules = decoratorValues(param);
      if (typeof value === 'number' && ((rules.minValue !== undefined && value < rules.minValue) || (rules.maxValue !== undefined && value > rules.maxValue))) {
        v.push(`${file.file}: ${name} = ${value} is outside [${rules.minValue ?? '-inf'}, ${rules.maxValue ?? 'inf'}]`);
      }
      if (rules.allowed && value !== undefined && !rules.allowed.includes(value)) v.push(`${file.file}: ${name} = ${JSON.stringify(value)} is not one of ${JSON.stringify(rules.allowed)}`);
      if (typeof value === 'string' && ((rules.minLength && value.length < rules.minLength) || (rules.maxLength && value.length > rules.maxLength))) {
        v.push(`${file.file}: ${name} '${value}' must be ${rules.minLength}-${rules.maxLength} characters`);
      }
    }
    for (const [name, param] of declared) {
      if (!param.defaultValue && !assigned.has(name)) v.push(`${file.file}: required parameter '${name}' is not set`);
    }
    const valueOf = (name) => literal(assigned.get(name) ?? declared.get(name)?.defaultValue);
    const minTtl = (valueOf('parkingRetentionDays') + REDRIVE_WINDOW_DAYS) * 86400;
    if (!(valueOf('idempotencyTtlSeconds') >= minTtl)) {
      v.push(`${file.file}: idempotencyTtlSeconds (${valueOf('idempotencyTtlSeconds')}) must be at least parkingRetentionDays `
        + `plus a ${REDRIVE_WINDOW_DAYS}-day redrive window (${minTtl}), or a redriven message that had succeeded runs twice`);
    }
    const minPayloadDays = QUEUE_TTL_DAYS + valueOf('parkingRetentionDays');
    if (!(valueOf('payloadRetentionDays') >= minPayloadDays)) {
      v.push(`${file.file}: payloadRetentionDays (${valueOf('payloadRetentionDays')}) must be at least the queue's ${QUEUE_TTL_DAYS}-day `
        + `message TTL plus parkingRetentionDays (${minPayloadDays}): a payload is stored when its message is sent, and a parked `
        + 'message whose payload was deleted cannot be redriven');
    }
    const secretUri = valueOf('signingKeysSecretUri');
    if (secretUri && !/^https:\/\/[A-Za-z0-9-]{3,24}\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]{1,127}$/.test(secretUri)) {
      v.push(`${file.file}: signingKeysSecretUri '${secretUri}' must be https://<vault>.vault.azure.net/secrets/<name>, without a version `
        + '(a versioned URI never sees a rotation)');
    }
    const maxAge = valueOf('signatureMaxAgeSeconds');
    const skew = valueOf('signatureClockSkewSeconds');
    if (!(maxAge >= minTtl)) {
      v.push(`${file.file}: signatureMaxAgeSeconds (${maxAge}) must be at least parkingRetentionDays plus a `
        + `${REDRIVE_WINDOW_DAYS}-day redrive window (${minTtl}), or a signed message redriven within the window is refused as stale`);
    }
    if (!(maxAge + skew <= valueOf('idempotencyTtlSeconds'))) {
      v.push(`${file.file}: signatureMaxAgeSeconds (${maxAge}) plus signatureClockSkewSeconds (${skew}) must be at most `
        + `idempotencyTtlSeconds (${valueOf('idempotencyTtlSeconds')}), or a replay accepted after its record expired is applied twice`);
    }
  }
  return v;
}

/**
 * The value a node has when every parameter on the way keeps its default: a literal, or a module
 * parameter followed to what main.bicep passes, down to a default there.
 */
export function resolve(project, parsed, node, seen = new Set()) {
  if (!node) return undefined;
  if (node.type !== 'identifier') return literal(node);
  const param = params(parsed).get(node.text);
  if (!param) return undefined;
  const key = `${parsed.file}#${node.text}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const callers = project.bicepFiles.flatMap((from) => modules(from)
    .filter((m) => project.moduleFile(from, m.path) === parsed)
    .map((m) => ({ from, value: get(m.body, `params.${node.text}`) })));
  const passed = callers.find((c) => c.value);
  return passed ? resolve(project, passed.from, passed.value, seen) : literal(param.defaultValue);
}

/** A query's text: a string, or replace(<variable or string>, ...) of one; placeholders kept. */
export function queryText(parsed, node) {
  if (!node) return undefined;
  if (node.type === 'string') return stringValue(node);
  if (node.type === 'identifier') return queryText(parsed, variables(parsed).get(node.text));
  if (node.type === 'call_expression' && node.namedChildren[0].text === 'replace') {
    return queryText(parsed, elements({ type: 'array', namedChildren: node.namedChildren[1].namedChildren })[0]);
  }
  return undefined;
}

/** What replace(query, placeholder, value) substitutes, as { placeholder: value expression text }. */
function substitutions(node) {
  if (node?.type !== 'call_expression' || node.namedChildren[0].text !== 'replace') return {};
  const [, placeholder, value] = node.namedChildren[1].namedChildren.filter((c) => c.type !== 'comment');
  return { [stringValue(placeholder)]: value?.text, ...substitutions(node.namedChildren[1].namedChildren[0]) };
}

/**
 * The operator alerts (issue: dead-letter / parking rate > 5 % of received, retry rate > 10 %,
 * handler p95 > 500 ms, function errors), as log search alerts over Application Insights, by the
 * column their query measures; `metrics` are the Sluice metrics the query must read.
 */
export const LOG_ALERTS = [
  { what: 'parking (dead-letter) rate', column: 'parkingRatePercent', threshold: 5,
    metrics: ['queue_messages_dead_lettered_total', 'queue_messages_received_total'], must: [/iff\(received > 0, 100\.0 \* parked \/ received, 0\.0\)/] },
  { what: 'retry rate', column: 'retryRatePercent', threshold: 10,
    metrics: ['queue_retry_attempts_total', 'queue_messages_received_total'], must: [/iff\(received > 0, 100\.0 \* retries \/ received, 0\.0\)/] },
  { what: 'handler p95', column: 'handlerP95Ms', threshold: 500,
    metrics: ['queue_handler_duration_seconds'], must: [/1000\.0 \* percentilew\(valueSum \/ valueCount, valueCount, 95\)/] },
  { what: 'function errors', column: 'failedInvocations', threshold: 0, table: 'requests',
    metrics: [], must: [/countif\(success == false\)/, /cloud_RoleName =~ '__APP__'/] },
];

function actionGroupSymbols(parsed) {
  return new Set(created(parsed, ACTION_GROUP).map((g) => `${g.symbol}.id`));
}

/**
 * Each operator alert exists once, reads the metrics Sluice exports for the queue, fires above its
 * default threshold over one 5-minute window, and notifies the action group; the queue-depth growth
 * alert watches ActiveMessages of the queue over consecutive windows.
 */
export function operatorAlerts(project) {
  const v = [];
  const logAlerts = all(project, LOG_ALERT).map((alert) => ({ alert, criterion: elements(get(alert.body, 'properties.criteria.allOf'))[0] }));
  for (const spec of LOG_ALERTS) {
    const found = logAlerts.filter(({ criterion }) => literal(get(criterion, 'metricMeasureColumn')) === spec.column);
    if (found.length !== 1) { v.push(`expected one log search alert measuring ${spec.column} (${spec.what}), found ${found.length}`); continue; }
    const { alert, criterion } = found[0];
    const queryNode = get(criterion, 'query');
    const query = queryText(alert.parsed, queryNode) ?? '';
    const table = spec.table ?? 'customMetrics';
    if (!new RegExp(`^\\s*${table}\\b`).test(query)) v.push(`${where(alert)}: the ${spec.what} query must read ${table}`);
    for (const metric of spec.metrics) {
      if (!query.includes(`'${metric}'`)) v.push(`${where(alert)}: the ${spec.what} query must read ${metric}`);
    }
    if (spec.metrics.length > 0 && !query.includes("tostring(customDimensions.queue) == '__QUEUE__'")) {
      v.push(`${where(alert)}: the ${spec.what} query must filter on customDimensions.queue == '__QUEUE__'`);
    }
    for (const pattern of spec.must) {
      if (!pattern.test(query)) v.push(`${where(alert)}: the ${spec.what} query must contain ${pattern}`);
    }
    if (!query.includes(`${spec.column} =`)) v.push(`${where(alert)}: the query must compute ${spec.column}`);
    const subs = substitutions(queryNode);
    if (query.includes('__QUEUE__') && subs.__QUEUE__ !== 'queueName') v.push(`${where(alert)}: __QUEUE__ must be replaced by queueName, is ${subs.__QUEUE__}`);
    if (query.includes('__APP__') && subs.__APP__ !== 'functionAppName') v.push(`${where(alert)}: __APP__ must be replaced by functionAppName, is ${subs.__APP__}`);
    if (literal(get(criterion, 'operator')) !== 'GreaterThan') v.push(`${where(alert)}: operator must be GreaterThan`);
    const threshold = resolve(project, alert.parsed, get(criterion, 'threshold'));
    if (threshold !== spec.threshold) v.push(`${where(alert)}: the ${spec.what} threshold must default to ${spec.threshold}, is ${threshold}`);
    expectLiteral(v, alert, 'properties.windowSize', 'PT5M');
    expectLiteral(v, alert, 'properties.evaluationFrequency', 'PT5M');
    expectLiteral(v, alert, 'properties.enabled', true);
    expectLiteral(v, alert, 'kind', 'LogAlert');
    if (literal(get(criterion, 'failingPeriods.numberOfEvaluationPeriods')) !== 1 || literal(get(criterion, 'failingPeriods.minFailingPeriodsToAlert')) !== 1) {
      v.push(`${where(alert)}: must fire on one failing 5-minute window (failingPeriods 1 of 1)`);
    }
    const scope = elements(get(alert.body, 'properties.scopes')).map(describe);
    const insights = resources(alert.parsed).filter((r) => r.type === APP_INSIGHTS).map((r) => `${r.symbol}.id`);
    if (scope.length !== 1 || !insights.includes(scope[0])) v.push(`${where(alert)}: scopes must be the Application Insights component, are [${scope.join(', ')}]`);
    const groups = actionGroupSymbols(alert.parsed);
    const actions = elements(get(alert.body, 'properties.actions.actionGroups')).map(describe);
    if (actions.length === 0 || !actions.every((a) => groups.has(a))) {
      v.push(`${where(alert)}: actions.actionGroups must target an action group declared with it, are [${actions.join(', ')}]`);
    }
  }

  const growth = all(project, METRIC_ALERT).filter((alert) => elements(getKey(get(alert.body, 'properties.criteria'), 'allOf')).some((c) =>
    literal(get(c, 'metricName')) === 'ActiveMessages' && literal(get(c, 'criterionType')) === 'DynamicThresholdCriterion'));
  if (growth.length !== 1) v.push(`expected one Dynamic thresholds metric alert on ActiveMessages (queue depth growing), found ${growth.length}`);
  for (const alert of growth) {
    const criterion = elements(getKey(get(alert.body, 'properties.criteria'), 'allOf'))[0];
    const entity = elements(get(criterion, 'dimensions')).find((d) => literal(get(d, 'name')) === 'EntityName');
    if (!entity || elements(get(entity, 'values')).map(describe).join() !== 'queueName') v.push(`${where(alert)}: must watch EntityName = queueName`);
    if (literal(getKey(get(alert.body, 'properties.criteria'), 'odata.type')) !== 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria') {
      v.push(`${where(alert)}: Dynamic thresholds need odata.type Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria`);
    }
    if (literal(get(criterion, 'operator')) !== 'GreaterThan') v.push(`${where(alert)}: operator must be GreaterThan`);
    const windows = get(criterion, 'failingPeriods.numberOfEvaluationPeriods');
    const failing = get(criterion, 'failingPeriods.minFailingPeriodsToAlert');
    if (resolve(project, alert.parsed, windows) !== 3 || describe(windows) !== describe(failing)) {
      v.push(`${where(alert)}: must fire when every one of the consecutive windows (default 3) fails, is ${describe(failing)} of ${describe(windows)}`);
    }
    expectLiteral(v, alert, 'properties.windowSize', 'PT5M');
    expectLiteral(v, alert, 'properties.evaluationFrequency', 'PT5M');
    expectLiteral(v, alert, 'properties.enabled', true);
    const groups = actionGroupSymbols(alert.parsed);
    const actions = elements(get(alert.body, 'properties.actions')).map((a) => describe(get(a, 'actionGroupId')));
    if (actions.length === 0 || !actions.every((a) => groups.has(a))) v.push(`${where(alert)}: actions must target an action group declared with it`);
  }
  return v;
}

/**
 * The workbook: created from main.bicep, shared, its items show queue and parking depth, Service
 * Bus dead letters, Sluice's outcomes, the rates, p50 / p95, the sessions processed and blocked, failed
 * invocations and the alerts of every alert rule.
 */
export function workbook(project) {
  const v = [];
  const books = expectSome(v, all(project, WORKBOOK), 'workbook');
  for (const book of books) {
    expectLiteral(v, book, 'kind', 'shared');
    expectLiteral(v, book, 'properties.category', 'workbook');
    const data = get(book.body, 'properties.serializedData');
    const contentVar = /^string\(([A-Za-z_]\w*)\)$/.exec(data?.text ?? '')?.[1];
    const content = contentVar && variables(book.parsed).get(contentVar);
    if (!content) { v.push(`${where(book)}: serializedData must be string(<variable holding the workbook>)`); continue; }
    const items = elements(get(content, 'items'));
    const metricItems = items.filter((i) => literal(get(i, 'type')) === 10);
    const metricNames = metricItems.flatMap((i) => elements(get(i, 'content.metrics')).map((m) => stringValue(get(m, 'metric')) ?? ''));
    for (const metric of ['ActiveMessages', 'DeadletteredMessages']) {
      if (!metricNames.some((m) => m.endsWith(`--${metric}`))) v.push(`${where(book)}: no metrics item shows Service Bus ${metric}`);
    }
    const depth = metricItems.find((i) => elements(get(i, 'content.metrics')).some((m) => (stringValue(get(m, 'metric')) ?? '').endsWith('--ActiveMessages')));
    const entities = elements(get(depth ? get(depth, 'content') : undefined, 'filters')).flatMap((f) => elements(get(f, 'values')).map(describe));
    if (!(entities.includes('queueName') && entities.includes('parkingQueueName'))) v.push(`${where(book)}: the depth chart must show the queue and the parking queue`);
    const queries = items.filter((i) => literal(get(i, 'type')) === 3).map((i) => queryText(book.parsed, get(i, 'content.query')) ?? '');
    const needs = {
      'received, completed, dead-lettered, abandoned and retried counts': /queue_messages_received_total[\s\S]*queue_messages_completed_total[\s\S]*queue_messages_abandoned_total[\s\S]*queue_messages_dead_lettered_total[\s\S]*queue_retry_attempts_total/,
      'parking and retry rates': /parkingRatePercent[\s\S]*retryRatePercent/,
      'handler p50 and p95': /percentilew\(valueSum \/ valueCount, valueCount, 50\)[\s\S]*percentilew\(valueSum \/ valueCount, valueCount, 95\)/,
      'sessions processed and blocked': /queue_sessions_processed_total[\s\S]*queue_sessions_blocked_total/,
      'failed function invocations': /^\s*requests[\s\S]*success == false/,
      'alert states': /alertsmanagementresources[\s\S]*monitorCondition/,
    };
    for (const [what, pattern] of Object.entries(needs)) {
      if (!queries.some((q) => pattern.test(q))) v.push(`${where(book)}: no query shows ${what}`);
    }
  }
  const wired = modules(project.main).find((m) => m.path === 'modules/workbook.bicep');
  if (!wired) v.push('main.bicep does not deploy modules/workbook.bicep');
  else if (describe(get(wired.body, 'params.alertRuleIds')) !== 'alerts.outputs.alertRuleIds') v.push('main.bicep must pass alerts.outputs.alertRuleIds to the workbook');
  // every alert rule of the alerts module is listed for the workbook
  for (const file of project.bicepFiles) {
    const listed = outputs(file).find((o) => o.name === 'alertRuleIds');
    if (!listed) continue;
    const ids = new Set(elements(listed.value).map(describe));
    for (const rule of [...created(file, METRIC_ALERT), ...created(file, LOG_ALERT)]) {
      if (!ids.has(`${rule.symbol}.id`)) v.push(`${file.file}: output alertRuleIds misses '${rule.symbol}'`);
    }
  }
  return v;
}

/**
 * The signing keys' secret and the claim-check store: main.bicep's parameters reach the Function App,
 * SLUICE_SIGNING_KEYS names the secret only when one is given, the payloads container is private in
 * a storage account without public blob access, its lifecycle rule deletes payloads after
 * payloadRetentionDays, and SLUICE_PAYLOAD_STORE is the container's URL (one '/', the endpoint's own).
 */
export function claimCheckAndSigningKeys(project) {
  const v = [];
  const declared = params(project.main);
  for (const [name, expected] of [['signingKeysSecretUri', ''], ['payloadStore', false], ['deletePayloadsAfterSuccess', true]]) {
    if (!declared.has(name)) v.push(`main.bicep: parameter ${name} is missing`);
    else if (literal(declared.get(name).defaultValue) !== expected) v.push(`main.bicep: ${name} must default to ${JSON.stringify(expected)}`);
  }
  for (const storage of all(project, STORAGE)) expectLiteral(v, storage, 'properties.allowBlobPublicAccess', false);
  for (const site of expectSome(v, all(project, SITE), 'Function App')) {
    const settings = new Map(appSettings(site).map((s) => [s.name, s]));
    const keys = settings.get('SLUICE_SIGNING_KEYS');
    if (!keys) v.push(`${where(site)}: app setting SLUICE_SIGNING_KEYS is missing`);
    else {
      if (stringValue(keys.value) !== 'azure-keyvault:${signingKeysSecretUri}') v.push(`${where(site)}: SLUICE_SIGNING_KEYS must be 'azure-keyvault:\${signingKeysSecretUri}', is ${describe(keys.value)}`);
      if (keys.condition !== '!(empty(signingKeysSecretUri))') v.push(`${where(site)}: SLUICE_SIGNING_KEYS must be set only when signingKeysSecretUri is, is set when ${keys.condition ?? 'always'}`);
    }
    const store = settings.get('SLUICE_PAYLOAD_STORE');
    const remove = settings.get('SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS');
    if (!store || !remove) { v.push(`${where(site)}: app settings SLUICE_PAYLOAD_STORE and SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS are required with a payload store`); continue; }
    const url = stringValue(store.value) ?? describe(store.value);
    if (!/^\$\{storage\.properties\.primaryEndpoints\.blob\}(payloads|\$\{payloadContainerName\})$/.test(url)) {
      v.push(`${where(site)}: SLUICE_PAYLOAD_STORE must be '\${storage.properties.primaryEndpoints.blob}payloads' (the endpoint ends with '/'), is ${url}`);
    }
    if (describe(remove.value) !== "deletePayloadsAfterSuccess ? 'true' : 'false'") {
      v.push(`${where(site)}: SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS must be deletePayloadsAfterSuccess ? 'true' : 'false' (string() of a bool is 'True'), is ${describe(remove.value)}`);
    }
    for (const s of [store, remove]) {
      if (s.condition !== '!(!payloadStore)' && s.condition !== 'payloadStore') v.push(`${where(site)}: ${s.name} must be set only with payloadStore, is set when ${s.condition ?? 'always'}`);
    }
    const vars = variables(site.parsed);
    const nameOf = (node) => stringValue(node) ?? (node?.type === 'identifier' ? literal(vars.get(node.text)) : undefined);
    const container = created(site.parsed, BLOB_CONTAINER).find((c) => nameOf(get(c.body, 'name')) === PAYLOAD_CONTAINER);
    if (!container) v.push(`${where(site)}: no blob container named '${PAYLOAD_CONTAINER}' next to the Function App`);
    else expectLiteral(v, container, 'properties.publicAccess', 'None');
    const rules = created(site.parsed, MANAGEMENT_POLICY).flatMap((p) => elements(get(p.body, 'properties.policy.rules')));
    const prefix = (node) => (stringValue(node) ?? '').replace('${payloadContainerName}', literal(vars.get('payloadContainerName')) ?? '?');
    const expiring = rules.filter((r) => literal(get(r, 'enabled')) === true
      && elements(get(r, 'definition.filters.prefixMatch')).some((p) => prefix(p) === `${PAYLOAD_CONTAINER}/`));
    if (expiring.length !== 1) v.push(`${where(site)}: expected one enabled lifecycle rule with prefixMatch '${PAYLOAD_CONTAINER}/', found ${expiring.length}`);
    for (const rule of expiring) {
      const days = get(rule, 'definition.actions.baseBlob.delete.daysAfterModificationGreaterThan');
      if (describe(days) !== 'payloadRetentionDays') v.push(`${where(site)}: the payload lifecycle rule must delete blobs after payloadRetentionDays, is ${describe(days)}`);
    }
  }
  if (!modules(project.main).some((m) => m.path === 'modules/keyvault-access.bicep')) v.push('main.bicep does not deploy modules/keyvault-access.bicep');
  const roles = modules(project.main).find((m) => m.path === 'modules/roles.bicep');
  if (describe(get(roles?.body, 'params.payloadContainerName')) !== 'functionApp.outputs.payloadContainerName') {
    v.push('main.bicep must pass functionApp.outputs.payloadContainerName to the roles module');
  }
  return v;
}

/** Every policy, by name. */
export const POLICIES = {
  localAuthDisabled, tls12, queueSettings, parkingQueue, idempotencyContainer, functionApp,
  alertsToActionGroup, operatorAlerts, workbook, roleAssignmentsForFunctionIdentity, noSecrets, parameterFiles,
  claimCheckAndSigningKeys,
};
