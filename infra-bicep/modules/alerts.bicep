@description('Base name for the alert resources.')
param name string

@description('Azure region.')
param location string

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

// ReportDeadLetters logs a warning for every store with messages waiting (rejected, poison, poison queues).
resource deadLetters 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-${name}-dead-letters'
  location: location
  tags: tags
  properties: {
    displayName: 'Referrals: messages wait for an operator'
    description: 'Rejected snapshots or poison work items are waiting: run `referrals rejected` and `referrals poison`.'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'traces | where message has "messages wait for an operator"'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}

// ReferralForwarder logs a warning for every referral delivered after its 2-working-day due date.
resource lateReferrals 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-${name}-late-referrals'
  location: location
  tags: tags
  properties: {
    displayName: 'Referrals: delivered past their deadline'
    description: 'Referrals reached a service after their due date (Victims\' Code: 2 working days): check the service\'s availability and `referrals poison`.'
    severity: 3
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'traces | where message has "delivered after its due date"'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}

resource functionFailures 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-${name}-function-failures'
  location: location
  tags: tags
  properties: {
    displayName: 'Referrals: function failures'
    description: 'Function executions failed (each is retried; repeated failures end in the dead-letter store).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'requests | where success == false'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 5
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}
