@description('Base name for the alert resources.')
param name string

param tags object

@description('Email address the alerts go to (e.g. the Victim Care Unit\'s or the digital team\'s shared mailbox).')
param alertEmail string

@description('Application Insights the function app writes to.')
param appInsightsId string

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
