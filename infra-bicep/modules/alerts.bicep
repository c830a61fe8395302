@description('Base name for the alert resources.')
param name string

@description('Region of the availability test (Application Insights\' own).')
param location string

param tags object

@description('Email address the alerts go to (e.g. the Victim Care Unit\'s or the digital team\'s shared mailbox).')
param alertEmail string

@description('Application Insights the function app writes to.')
param appInsightsId string

@description('https:// address of the app\'s health endpoint, GET /api/health.')
param healthUrl string

@description('The function key the availability test sends to the health endpoint (x-functions-key).')
@secure()
param healthProbeKey string

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${name}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('referrals', 12)
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// The alerts watch the pipeline's own metrics (PipelineMetrics, exported by the app with the Azure Monitor OpenTelemetry
// exporter), not log text: a test (MetricAlertsTests) checks that each metric named here is one the code emits.
// Metric alerts on Application Insights' metric store (namespace azure.applicationinsights), without dimension
// filters: custom metric dimensions reach that store only if "alerting on custom metric dimensions" is switched on in
// the portal (no ARM property), so every alert watches an instrument of its own. skipMetricValidation lets the rule be
// created before the app has emitted the metric for the first time.

// ReportDeadLetters records the gauge for every store (rejected, poison, the poison queues) every few minutes.
resource deadLetters 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Rejected snapshots or poison work items are waiting: run `referrals rejected` and `referrals poison`.'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'messages-waiting'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.deadletters.waiting'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// ReferralForwarder counts every referral delivered after its 2-working-day due date.
resource lateReferrals 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-late-referrals'
  location: 'global'
  tags: tags
  properties: {
    description: 'Referrals reached a service after their due date (Victims\' Code: 2 working days): check the service\'s availability and `referrals poison`.'
    severity: 3
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'late-referrals'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.deliveries.late'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// EscalateOverdueTasks counts each Victim Care Unit task that went past its due time while open or claimed, once.
resource overdueTasks 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-overdue-tasks'
  location: 'global'
  tags: tags
  properties: {
    description: 'Victim Care Unit tasks are past their due time (17:00 on the due working day) and still open or claimed: run `referrals tasks list --overdue` (docs/worklist.md).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'overdue-tasks'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.tasks.overdue'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Issue 22: an asynchronous bounce that names no message of ours (no custom arg, no token in smtp-id) is applied only when
// exactly one delivered email to its address awaits receipts; otherwise nothing is applied and it is counted here.
resource unmatchedBounces 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-unmatched-bounces'
  location: 'global'
  tags: tags
  properties: {
    description: 'SendGrid reported a bounce that names no message and that no single delivered email to its address matches (none, or several victims\' emails to one address): nothing was applied. Look the bounce up in SendGrid\'s activity feed and check those victims\' contact (docs/receipts.md).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'unmatched-bounces'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.emails.bounces.unmatched'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// The entitlement message sender (for emails) and the forwarder count every email or delivery that failed for good or could not be confirmed.
resource failures 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Entitlement emails or deliveries to services failed for good or could not be confirmed: each waits in `referrals poison` with its reason.'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failures'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.failures'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Each delivery receipt for an email records 1 (bounced or dropped) or 0 (delivered) on its own instrument, so its
// average over the window is the bounce rate. Above 5% a sender's reputation suffers and victims go unreached by email.
resource bounceRate 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-email-bounce-rate'
  location: 'global'
  tags: tags
  properties: {
    description: 'More than 5% of entitlement emails bounced or were dropped in the last 6 hours: check SendGrid\'s suppression list and the addresses the records system sends; victims fall back to text or letter.'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT6H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'email-bounce-rate'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.emails.bounced'
          timeAggregation: 'Average'
          operator: 'GreaterThan'
          threshold: json('0.05')
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Application Insights' standard metric of failed requests, recorded by the Functions host for every execution.
resource functionFailures 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function executions failed (each is retried; repeated failures end in the dead-letter store).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failed-requests'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 5
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// The health endpoint, probed from outside by Azure Monitor every 5 minutes from five locations near the UK: it answers
// 503 when a timer is late, the records system is silent or sign-in is off, and fails when the app does not answer at
// all. Alerts fire on failures, not only on errors: a stopped timer or a silent records system is noticed, although
// nothing else goes wrong loudly. docs/operations.md says what each reason means and what to do.
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'webtest-${name}-health'
  location: location
  // Azure Monitor lists a test under the Application Insights resource this tag names.
  tags: union(tags, { 'hidden-link:${appInsightsId}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'webtest-${name}-health'
    Name: 'Referrals health (${name})'
    Description: 'GET /api/health: 200 while every timer runs on schedule and the records system is sending (docs/operations.md).'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'emea-ru-msa-edge' } // UK South
      { Id: 'emea-se-sto-edge' } // UK West
      { Id: 'emea-gb-db3-azr' } // North Europe
      { Id: 'emea-nl-ams-azr' } // West Europe
      { Id: 'emea-fr-pra-edge' } // France Central
    ]
    Request: {
      RequestUrl: healthUrl
      HttpVerb: 'GET'
      ParseDependentRequests: false
      FollowRedirects: false
      Headers: [
        {
          key: 'x-functions-key'
          value: healthProbeKey
        }
      ]
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

// Two locations failing within 5 minutes: one location's own network trouble does not wake anyone.
resource healthFailing 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-health'
  location: 'global'
  tags: tags
  properties: {
    description: 'The health endpoint answers 503 or not at all: a timer is late, the records system is silent, or sign-in is off. Read its reasons (docs/operations.md, "Health").'
    severity: 1
    enabled: true
    scopes: [healthTest.id, appInsightsId]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: appInsightsId
      failedLocationCount: 2
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// WatchReferralDeadlines counts each referral not delivered by the set time on the working day before it is due, once (issue 29).
resource referralsAtRisk 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-${name}-referrals-at-risk'
  location: 'global'
  tags: tags
  properties: {
    description: 'A referral is not delivered by the set time (12:00) on the working day before it is due, or is late: run `referrals status` (docs/operations.md).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'referrals-at-risk'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'referrals.referrals.atrisk'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          skipMetricValidation: true
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}
