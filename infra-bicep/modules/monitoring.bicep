@description('Base name for the Log Analytics workspace and Application Insights.')
param name string

@description('Azure region.')
param location string

param tags object

@description('Days of logs kept in Log Analytics.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
    features: { disableLocalAuth: true }
  }
}

// Local (instrumentation key) auth is off: the app sends telemetry with its managed identity (Entra auth).
resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
  }
}

output appInsightsId string = insights.id
output appInsightsName string = insights.name
output connectionString string = insights.properties.ConnectionString
output workspaceId string = workspace.id
