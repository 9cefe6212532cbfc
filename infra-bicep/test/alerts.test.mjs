// The operator alerts (parking rate, retry rate, handler p95, function errors, queue depth growing)
// and the workbook: each policy is shown to catch the regression it exists for, and every metric
// name and dimension the queries read is one Sluice exports (shared-core SluiceMetrics, exported
// as-is by functions-azure OpenTelemetryMetrics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { created, get, elements, literal, loadProject, variables } from '../policy/bicep.mjs';
import { POLICIES, queryText, resolve } from '../policy/policies.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const project = loadProject(ROOT);
const SLUICE_METRICS = path.join(ROOT, '..', 'shared-core', 'src', 'main', 'java', 'dev', 'sluice', 'core', 'observability', 'SluiceMetrics.java');

function mutated(file, from, to, everywhere = false) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  assert.ok(text.includes(from), `${file} contains ${JSON.stringify(from)}`);
  return loadProject(ROOT, { [file]: everywhere ? text.replaceAll(from, to) : text.replace(from, to) });
}

function assertCatches(policy, changed, pattern) {
  const violations = POLICIES[policy](changed);
  assert.ok(violations.some((v) => pattern.test(v)), `${policy} should report ${pattern}, reported:\n${violations.join('\n')}`);
}

const alertsFile = project.files.get('modules/alerts.bicep');
const workbookFile = project.files.get('modules/workbook.bicep');

function logAlert(column) {
  return created(alertsFile, 'Microsoft.Insights/scheduledQueryRules').find((a) =>
    literal(get(elements(get(a.body, 'properties.criteria.allOf'))[0], 'metricMeasureColumn')) === column);
}

test('every log search alert: threshold default, 5-minute window, action group', () => {
  const expected = { parkingRatePercent: 5, retryRatePercent: 10, handlerP95Ms: 500, failedInvocations: 0 };
  for (const [column, threshold] of Object.entries(expected)) {
    const alert = logAlert(column);
    assert.ok(alert, `a log search alert measures ${column}`);
    const criterion = elements(get(alert.body, 'properties.criteria.allOf'))[0];
    assert.equal(resolve(project, alertsFile, get(criterion, 'threshold')), threshold, column);
    assert.equal(literal(get(criterion, 'operator')), 'GreaterThan');
    assert.equal(literal(get(alert.body, 'properties.windowSize')), 'PT5M');
    assert.equal(literal(get(alert.body, 'properties.evaluationFrequency')), 'PT5M');
    assert.deepEqual(elements(get(alert.body, 'properties.actions.actionGroups')).map((n) => n.text), ['actionGroup.id']);
  }
});

test('the growth alert: ActiveMessages of the queue above its band in 3 of 3 consecutive 5-minute windows', () => {
  const alert = created(alertsFile, 'Microsoft.Insights/metricAlerts').find((a) => a.symbol === 'queueGrowingAlert');
  const criterion = elements(get(alert.body, 'properties.criteria.allOf'))[0];
  assert.equal(literal(get(criterion, 'metricName')), 'ActiveMessages');
  assert.equal(resolve(project, alertsFile, get(criterion, 'failingPeriods.numberOfEvaluationPeriods')), 3);
  assert.equal(resolve(project, alertsFile, get(criterion, 'failingPeriods.minFailingPeriodsToAlert')), 3);
  assert.equal(resolve(project, alertsFile, get(criterion, 'alertSensitivity')), 'Medium');
  assert.equal(literal(get(alert.body, 'properties.windowSize')), 'PT5M');
  assert.deepEqual(elements(get(alert.body, 'properties.actions')).map((a) => get(a, 'actionGroupId').text), ['actionGroup.id']);
});

test('the thresholds are main.bicep parameters with the issue\'s defaults', () => {
  for (const [name, value] of Object.entries({ deadLetterRateAlertPercent: 5, retryRateAlertPercent: 10, handlerLatencyP95AlertMs: 500, queueGrowthAlertWindows: 3, functionErrorsAlertThreshold: 0 })) {
    assert.equal(resolve(project, project.main, { type: 'identifier', text: name }), value, name);
  }
});

test('every metric name and dimension the queries read is one Sluice exports', () => {
  const java = fs.readFileSync(SLUICE_METRICS, 'utf8');
  const exported = new Set([...java.matchAll(/= "([a-z_]+)";/g)].map((m) => m[1]));
  assert.ok(exported.has('queue_messages_received_total') && exported.has('queue'));
  let metricReads = 0;
  for (const file of [alertsFile, workbookFile]) {
    for (const [name, node] of variables(file)) {
      const query = queryText(file, node);
      if (typeof query !== 'string') continue;
      for (const [metric] of query.matchAll(/\bqueue_[a-z_]+\b/g)) {
        assert.ok(exported.has(metric), `${file.file} ${name}: ${metric} is not a Sluice metric`);
        metricReads++;
      }
      for (const [, dim] of query.matchAll(/customDimensions\.([A-Za-z_]+)/g)) assert.ok(exported.has(dim), `${file.file} ${name}: ${dim} is not a Sluice dimension`);
    }
  }
  assert.ok(metricReads >= 20, `only ${metricReads} metric names found in the queries`);
});

test('the operator alerts catch their regressions', () => {
  // a misspelt metric name: the alert would watch nothing and never fire
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', 'queue_messages_dead_lettered_total', 'queue_messages_deadlettered_total', true),
    /the parking \(dead-letter\) rate query must read queue_messages_dead_lettered_total/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', 'threshold: deadLetterRateAlertPercent', 'threshold: retryRateAlertPercent'),
    /'parkingRateAlert': the parking \(dead-letter\) rate threshold must default to 5, is 10/);
  assertCatches('operatorAlerts', mutated('main.bicep', 'param retryRateAlertPercent int = 10', 'param retryRateAlertPercent int = 20'),
    /'retryRateAlert': the retry rate threshold must default to 10, is 20/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "iff(received > 0, 100.0 * retries / received, 0.0)", '100.0 * retries / received'),
    /the retry rate query must contain/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', 'valueCount, 95)', 'valueCount, 50)'),
    /'handlerLatencyAlert': the handler p95 query must contain/);
  assertCatches('operatorAlerts', mutated('main.bicep', 'param handlerLatencyP95AlertMs int = 500', 'param handlerLatencyP95AlertMs int = 1'),
    /handler p95 threshold must default to 500, is 1/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "query: replace(retryRateQuery, '__QUEUE__', queueName)", "query: replace(retryRateQuery, '__QUEUE__', parkingQueueName)"),
    /'retryRateAlert': __QUEUE__ must be replaced by queueName, is parkingQueueName/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "| where cloud_RoleName =~ '__APP__'\n| summarize failedInvocations = countif(success == false)", '| summarize failedInvocations = count()'),
    /'functionErrorsAlert': the function errors query must contain/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "metricMeasureColumn: 'parkingRatePercent'", "metricMeasureColumn: 'received'"),
    /expected one log search alert measuring parkingRatePercent/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "actionGroups: [\n        actionGroup.id\n      ]", "actionGroups: [\n        '/subscriptions/x/ag'\n      ]"),
    /'parkingRateAlert': actions\.actionGroups must target an action group/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "    windowSize: 'PT5M'\n    autoMitigate: true\n    criteria: {\n      allOf", "    windowSize: 'PT15M'\n    autoMitigate: true\n    criteria: {\n      allOf"),
    /'parkingRateAlert': properties\.windowSize must be "PT5M"/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', 'minFailingPeriodsToAlert: queueGrowthAlertWindows', 'minFailingPeriodsToAlert: 1'),
    /'queueGrowingAlert': must fire when every one of the consecutive windows \(default 3\) fails, is 1 of queueGrowthAlertWindows/);
  assertCatches('operatorAlerts', mutated('main.bicep', 'param queueGrowthAlertWindows int = 3', 'param queueGrowthAlertWindows int = 2'),
    /'queueGrowingAlert': must fire when every one of the consecutive windows/);
  assertCatches('operatorAlerts', mutated('modules/alerts.bicep', "criterionType: 'DynamicThresholdCriterion'", "criterionType: 'StaticThresholdCriterion'"),
    /expected one Dynamic thresholds metric alert on ActiveMessages/);
});

test('the workbook catches its regressions', () => {
  assertCatches('workbook', mutated('main.bicep', "module workbook 'modules/workbook.bicep'", "module workbook 'modules/other.bicep'"),
    /main\.bicep does not deploy modules\/workbook\.bicep/);
  assertCatches('workbook', mutated('modules/workbook.bicep', "metric: '${serviceBusMetrics}--DeadletteredMessages'", "metric: '${serviceBusMetrics}--IncomingMessages'"),
    /no metrics item shows Service Bus DeadletteredMessages/);
  assertCatches('workbook', mutated('modules/workbook.bicep', '              queueName\n              parkingQueueName\n', '              queueName\n'),
    /the depth chart must show the queue and the parking queue/);
  assertCatches('workbook', mutated('modules/workbook.bicep', "p95Ms = 1000.0 * percentilew(valueSum / valueCount, valueCount, 95)", 'p95Ms = 1000.0 * avg(valueSum / valueCount)'),
    /no query shows handler p50 and p95/);
  assertCatches('workbook', mutated('modules/workbook.bicep', "'queue_messages_abandoned_total',", ''),
    /no query shows received, completed, dead-lettered, abandoned and retried counts/);
  assertCatches('workbook', mutated('modules/workbook.bicep', 'queue_sessions_blocked_total', 'queue_sessions_processed_total', true),
    /no query shows sessions processed and blocked/);
  assertCatches('workbook', mutated('modules/workbook.bicep', 'alertsmanagementresources', 'resources'),
    /no query shows alert states/);
  assertCatches('workbook', mutated('modules/alerts.bicep', '  retryRateAlert.id\n', ''),
    /output alertRuleIds misses 'retryRateAlert'/);
  assertCatches('workbook', mutated('modules/workbook.bicep', 'serializedData: string(workbookContent)', "serializedData: '{}'"),
    /serializedData must be string\(<variable holding the workbook>\)/);
});
