// An Azure Monitor workbook for one consumer, the counterpart of the CDK construct's dashboard:
// queue and parking depth, Service Bus dead letters, Sluice's outcome counts (received, completed,
// duplicate, abandoned / retried, parked), the parking and retry rates, the handler's p50 / p95, failed
// function invocations and the state of the alerts.

param baseName string
param location string
param tags object
param serviceBusNamespaceName string
param queueName string
param parkingQueueName string
param applicationInsightsName string
param functionAppName string

@description('The alert rules whose fired alerts the workbook lists.')
param alertRuleIds string[]

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var day = 86400000
var serviceBusMetrics = 'microsoft.servicebus/namespaces'

// Sluice's counters by outcome, per 5 minutes (counters arrive as deltas: sum(valueSum) is the count).
var outcomesQuery = '''
customMetrics
| where name in ('queue_messages_received_total', 'queue_messages_completed_total',
    'queue_messages_duplicate_total', 'queue_messages_abandoned_total',
    'queue_messages_dead_lettered_total', 'queue_retry_attempts_total')
| where tostring(customDimensions.queue) == '__QUEUE__'
| summarize messages = sum(valueSum) by outcome = replace_string(replace_string(name, 'queue_', ''), '_total', ''),
    bin(timestamp, 5m)
| render timechart
'''

// The two rates the alerts watch, in percent of received, per 5 minutes.
var ratesQuery = '''
customMetrics
| where name in ('queue_messages_received_total', 'queue_messages_dead_lettered_total', 'queue_retry_attempts_total')
| where tostring(customDimensions.queue) == '__QUEUE__'
| summarize received = sumif(valueSum, name == 'queue_messages_received_total'),
    parked = sumif(valueSum, name == 'queue_messages_dead_lettered_total'),
    retries = sumif(valueSum, name == 'queue_retry_attempts_total') by bin(timestamp, 5m)
| project timestamp,
    parkingRatePercent = iff(received > 0, 100.0 * parked / received, 0.0),
    retryRatePercent = iff(received > 0, 100.0 * retries / received, 0.0)
| render timechart
'''

// Percentiles of per-interval means weighted by count (Application Insights keeps no histogram
// buckets), and the largest single duration, in ms.
var latencyQuery = '''
customMetrics
| where name == 'queue_handler_duration_seconds'
| where tostring(customDimensions.queue) == '__QUEUE__'
| where valueCount > 0
| summarize p50Ms = 1000.0 * percentilew(valueSum / valueCount, valueCount, 50),
    p95Ms = 1000.0 * percentilew(valueSum / valueCount, valueCount, 95),
    maxMs = 1000.0 * max(valueMax) by bin(timestamp, 5m)
| render timechart
'''

// Session-enabled queues: the sessions batches processed, and those a retry blocked (held by the abandon-and-wait
// that keeps their order), per 5 minutes.
var sessionsQuery = '''
customMetrics
| where name in ('queue_sessions_processed_total', 'queue_sessions_blocked_total')
| where tostring(customDimensions.queue) == '__QUEUE__'
| summarize processed = sumif(valueSum, name == 'queue_sessions_processed_total'),
    blocked = sumif(valueSum, name == 'queue_sessions_blocked_total') by bin(timestamp, 5m)
| render timechart
'''

var functionErrorsQuery = '''
requests
| where cloud_RoleName =~ '__APP__'
| summarize invocations = count(), failed = countif(success == false) by bin(timestamp, 5m)
| render timechart
'''

// Azure Resource Graph: the alerts these rules raised in the last 7 days, newest first.
var alertStatesQuery = '''
alertsmanagementresources
| where type =~ 'microsoft.alertsmanagement/alerts'
| extend rule = tolower(tostring(properties.essentials.alertRule))
| where rule in (__RULES__)
| project fired = todatetime(properties.essentials.startDateTime), rule,
    condition = tostring(properties.essentials.monitorCondition),
    state = tostring(properties.essentials.alertState),
    severity = tostring(properties.essentials.severity)
| where fired > ago(7d)
| order by fired desc
'''

var ruleList = '\'${toLower(join(alertRuleIds, '\', \''))}\''

var workbookContent = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'title'
      content: {
        json: '## Sluice: ${queueName}\nQueue ${queueName} and its parking queue ${parkingQueueName} (Service Bus metrics), Sluice\'s metrics from Application Insights, and the alerts.'
      }
    }
    {
      type: 10
      name: 'queue-depth'
      content: {
        chartId: 'queue-depth'
        version: 'MetricsItem/2.0'
        title: 'Queue and parking depth (active messages, max)'
        size: 0
        chartType: 2
        resourceType: serviceBusMetrics
        metricScope: 0
        resourceIds: [
          namespace.id
        ]
        timeContext: {
          durationMs: day
        }
        metrics: [
          {
            namespace: serviceBusMetrics
            metric: '${serviceBusMetrics}--ActiveMessages'
            aggregation: 3
            splitBy: 'EntityName'
          }
        ]
        filters: [
          {
            key: 'EntityName'
            operator: 0
            values: [
              queueName
              parkingQueueName
            ]
          }
        ]
      }
    }
    {
      type: 10
      name: 'dead-letter-depth'
      content: {
        chartId: 'dead-letter-depth'
        version: 'MetricsItem/2.0'
        title: 'Service Bus dead letters of the queue (max)'
        size: 0
        chartType: 2
        resourceType: serviceBusMetrics
        metricScope: 0
        resourceIds: [
          namespace.id
        ]
        timeContext: {
          durationMs: day
        }
        metrics: [
          {
            namespace: serviceBusMetrics
            metric: '${serviceBusMetrics}--DeadletteredMessages'
            aggregation: 3
          }
        ]
        filters: [
          {
            key: 'EntityName'
            operator: 0
            values: [
              queueName
            ]
          }
        ]
      }
    }
    {
      type: 3
      name: 'outcomes'
      content: {
        version: 'KqlItem/1.0'
        title: 'Received, completed, duplicate, abandoned (retried), dead-lettered (parked), retry attempts per 5 minutes'
        query: replace(outcomesQuery, '__QUEUE__', queueName)
        queryType: 0
        resourceType: 'microsoft.insights/components'
        crossComponentResources: [
          appInsights.id
        ]
        timeContext: {
          durationMs: day
        }
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'rates'
      content: {
        version: 'KqlItem/1.0'
        title: 'Parking and retry rate (% of received)'
        query: replace(ratesQuery, '__QUEUE__', queueName)
        queryType: 0
        resourceType: 'microsoft.insights/components'
        crossComponentResources: [
          appInsights.id
        ]
        timeContext: {
          durationMs: day
        }
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'handler-latency'
      content: {
        version: 'KqlItem/1.0'
        title: 'Handler duration p50 / p95 / max (ms)'
        query: replace(latencyQuery, '__QUEUE__', queueName)
        queryType: 0
        resourceType: 'microsoft.insights/components'
        crossComponentResources: [
          appInsights.id
        ]
        timeContext: {
          durationMs: day
        }
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'sessions'
      content: {
        version: 'KqlItem/1.0'
        title: 'Sessions processed, and blocked by a retry, per 5 minutes (session-enabled queues)'
        query: replace(sessionsQuery, '__QUEUE__', queueName)
        queryType: 0
        resourceType: 'microsoft.insights/components'
        crossComponentResources: [
          appInsights.id
        ]
        timeContext: {
          durationMs: day
        }
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'function-errors'
      content: {
        version: 'KqlItem/1.0'
        title: 'Function invocations and failed invocations'
        query: replace(functionErrorsQuery, '__APP__', functionAppName)
        queryType: 0
        resourceType: 'microsoft.insights/components'
        crossComponentResources: [
          appInsights.id
        ]
        timeContext: {
          durationMs: day
        }
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'alert-states'
      content: {
        version: 'KqlItem/1.0'
        title: 'Alerts fired in the last 7 days'
        query: replace(alertStatesQuery, '__RULES__', ruleList)
        queryType: 1
        resourceType: 'microsoft.resourcegraph/resources'
        crossComponentResources: [
          subscription().id
        ]
        visualization: 'table'
        size: 0
      }
    }
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, baseName, 'sluice-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Sluice ${queueName} (${baseName})'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: string(workbookContent)
  }
}

output workbookId string = workbook.id
