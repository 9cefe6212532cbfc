// Alerts to one action group:
// - metric alerts on Service Bus: a message was dead-lettered by Service Bus (the crash safety net
//   fired), a message is waiting in the parking queue (Sluice dead-lettered it), and the queue's
//   depth (ActiveMessages) stays above its learned band for consecutive windows (growing);
// - log search alerts on Application Insights over what Sluice exports through OpenTelemetry
//   (customMetrics: name = the instrument name, customDimensions.queue / .failure_kind = the
//   attributes; counters arrive as deltas per export interval, so sum(valueSum) is the count in the
//   window): parking (dead-letter) rate, retry rate, handler p95, and failed function invocations
//   (requests).
// Not alerted, because Azure has no signal for it: the age of the oldest message (Service Bus
// exposes no oldest-message-age metric; the growth alert and the parking alerts cover a stuck
// consumer) and session lock losses (neither Service Bus nor Sluice has a lock-lost metric; lost
// locks only show as Service Bus UserErrors, mixed with every other client error).

param baseName string
param tags object
param serviceBusNamespaceName string
param queueName string
param parkingQueueName string
param alertEmails string[]

@description('Region of the log search alerts (that of Application Insights).')
param location string

@description('The Application Insights component the Function App sends telemetry to.')
param applicationInsightsName string

@description('The Function App (cloud_RoleName of its requests).')
param functionAppName string

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

@description('Queue growth alert: how far above its usual level the depth must be (Dynamic thresholds sensitivity).')
@allowed([
  'Low'
  'Medium'
  'High'
])
param queueGrowthAlertSensitivity string = 'Medium'

@description('Function errors alert: failed invocations in 5 minutes above which it fires.')
@minValue(0)
param functionErrorsAlertThreshold int = 0

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The queries below use placeholders (multi-line strings take no interpolation); queue and app
// names are letters, digits, '-', '_' and '.', so they sit safely in KQL single quotes.

// Parked (Sluice dead-lettered) messages, every failure kind, per received message, in percent.
var parkingRateQuery = '''
customMetrics
| where name in ('queue_messages_received_total', 'queue_messages_dead_lettered_total')
| where tostring(customDimensions.queue) == '__QUEUE__'
| summarize received = sumif(valueSum, name == 'queue_messages_received_total'),
    parked = sumif(valueSum, name == 'queue_messages_dead_lettered_total')
| extend parkingRatePercent = iff(received > 0, 100.0 * parked / received, 0.0)
'''

// Retries scheduled after a failed attempt per received message, in percent.
var retryRateQuery = '''
customMetrics
| where name in ('queue_messages_received_total', 'queue_retry_attempts_total')
| where tostring(customDimensions.queue) == '__QUEUE__'
| summarize received = sumif(valueSum, name == 'queue_messages_received_total'),
    retries = sumif(valueSum, name == 'queue_retry_attempts_total')
| extend retryRatePercent = iff(received > 0, 100.0 * retries / received, 0.0)
'''

// Application Insights keeps an OpenTelemetry histogram as count, sum, min and max per export
// interval, without buckets, so the exact p95 of single durations is not available: this is the
// 95th percentile of the per-interval mean durations, each weighted by its count (in ms; the
// metric is in seconds).
var handlerP95Query = '''
customMetrics
| where name == 'queue_handler_duration_seconds'
| where tostring(customDimensions.queue) == '__QUEUE__'
| where valueCount > 0
| summarize handlerP95Ms = 1000.0 * percentilew(valueSum / valueCount, valueCount, 95)
'''

// Invocations of the Function App that failed as a whole (crash, timeout, out of memory); Sluice
// settles single failed messages itself, without failing the invocation.
var functionErrorsQuery = '''
requests
| where cloud_RoleName =~ '__APP__'
| summarize failedInvocations = countif(success == false)
'''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${baseName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace(baseName, '-', ''), 12)
    enabled: true
    emailReceivers: [for (email, i) in alertEmails: {
      name: 'email-${i}'
      emailAddress: email
      useCommonAlertSchema: true
    }]
  }
}

resource deadLetteredAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${queueName}-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'Service Bus dead-lettered messages of ${queueName} (maxDeliveryCount or expiry): inspect them with `sluice dlq inspect`.'
    severity: 1
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLetteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                queueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource parkedAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${parkingQueueName}-not-empty'
  location: 'global'
  tags: tags
  properties: {
    description: 'Sluice parked messages of ${queueName} in ${parkingQueueName}: inspect them with `sluice dlq inspect`, fix the cause, then redrive.'
    severity: 2
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ParkedMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                parkingQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Azure Monitor metric alerts cannot compare a window with the one before it, so "keeps growing"
// is a Dynamic thresholds criterion: ActiveMessages of the queue above its learned band in every one
// of queueGrowthAlertWindows consecutive 5-minute windows. It needs some days of metric history
// before it fires.
resource queueGrowingAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${queueName}-depth-growing'
  location: 'global'
  tags: tags
  properties: {
    description: 'The messages waiting in ${queueName} stayed above their usual level for ${queueGrowthAlertWindows} consecutive 5-minute windows: the consumer does not keep up (raise maximumInstanceCount, or look for a slow dependency).'
    severity: 2
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'DynamicThresholdCriterion'
          name: 'QueueDepthGrowing'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                queueName
              ]
            }
          ]
          operator: 'GreaterThan'
          alertSensitivity: queueGrowthAlertSensitivity
          failingPeriods: {
            numberOfEvaluationPeriods: queueGrowthAlertWindows
            minFailingPeriodsToAlert: queueGrowthAlertWindows
          }
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource parkingRateAlert 'Microsoft.Insights/scheduledQueryRules@2022-06-15' = {
  name: '${queueName}-parking-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${queueName}-parking-rate'
    description: 'More than ${deadLetterRateAlertPercent} % of the messages ${queueName} received in 5 minutes were parked (dead-lettered by Sluice): look for a bad producer or a failing dependency (`sluice dlq inspect` groups them by error).'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(parkingRateQuery, '__QUEUE__', queueName)
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'parkingRatePercent'
          operator: 'GreaterThan'
          threshold: deadLetterRateAlertPercent
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource retryRateAlert 'Microsoft.Insights/scheduledQueryRules@2022-06-15' = {
  name: '${queueName}-retry-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${queueName}-retry-rate'
    description: 'More than ${retryRateAlertPercent} % of the messages ${queueName} received in 5 minutes failed an attempt and were retried: a dependency is failing or slow; parked messages follow once attempts run out.'
    severity: 3
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(retryRateQuery, '__QUEUE__', queueName)
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'retryRatePercent'
          operator: 'GreaterThan'
          threshold: retryRateAlertPercent
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource handlerLatencyAlert 'Microsoft.Insights/scheduledQueryRules@2022-06-15' = {
  name: '${queueName}-handler-p95'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${queueName}-handler-p95'
    description: 'The handler of ${queueName} took more than ${handlerLatencyP95AlertMs} ms at the 95th percentile over 5 minutes (of per-interval means: Application Insights keeps no histogram buckets).'
    severity: 3
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(handlerP95Query, '__QUEUE__', queueName)
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'handlerP95Ms'
          operator: 'GreaterThan'
          threshold: handlerLatencyP95AlertMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource functionErrorsAlert 'Microsoft.Insights/scheduledQueryRules@2022-06-15' = {
  name: '${functionAppName}-function-errors'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${functionAppName}-function-errors'
    description: 'Invocations of ${functionAppName} failed as a whole (crash, timeout or out of memory); Sluice settles single failed messages without failing the invocation.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(functionErrorsQuery, '__APP__', functionAppName)
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'failedInvocations'
          operator: 'GreaterThan'
          threshold: functionErrorsAlertThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id

@description('Every alert rule, for the workbook\'s alert list.')
output alertRuleIds string[] = [
  deadLetteredAlert.id
  parkedAlert.id
  queueGrowingAlert.id
  parkingRateAlert.id
  retryRateAlert.id
  handlerLatencyAlert.id
  functionErrorsAlert.id
]
