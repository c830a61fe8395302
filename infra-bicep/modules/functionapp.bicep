@description('Function app name.')
param name string

@description('Azure region.')
param location string

param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity, for identity-based connections.')
param identityClientId string

@description('Storage endpoints (blob, queue, table) of the pipeline account.')
param storage { blob: string, queue: string, table: string }

@description('Blob container the app package is deployed to.')
param deploymentContainerName string

@description('Application Insights connection string (not a secret: it holds no key that grants access, local auth is off).')
param appInsightsConnectionString string

@description('Name of the Key Vault holding the SendGrid and Notify API keys, the Notify callback token and the SendGrid webhook key.')
param keyVaultName string

@description('Client id of the Entra ID app registration people and the OPCC\'s clients sign in with.')
param signInClientId string

@description('The paths App Service authentication lets through without sign-in (each checks its caller itself).')
param pathsWithoutSignIn string[]

@description('The value of the host key the availability test sends to the health endpoint.')
@secure()
param healthProbeKey string

@description('Most instances Flex Consumption may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('App settings of the pipeline itself (queues, schedule, SendGrid, rules).')
param pipelineSettings object

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var identitySettings = {
  AzureWebJobsStorage__blobServiceUri: storage.blob
  AzureWebJobsStorage__queueServiceUri: storage.queue
  AzureWebJobsStorage__tableServiceUri: storage.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ReferralsStorage__queueServiceUri: storage.queue
  ReferralsStorage__tableServiceUri: storage.table
  ReferralsStorage__credential: 'managedidentity'
  ReferralsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  SendGrid__ApiKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=sendgrid-api-key)'
  // The key of the hashes that stand in for ids in logs (docs/architecture.md, "Logging").
  LogRedaction__HashKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=log-hash-key)'
  // The API key of the general victim service, named by the services directory (apiKeySetting).
  ServiceKeys__general: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=service-key-general)'
  // GOV.UK Notify: the API key (text messages, letters, status lookups) and the bearer token Notify sends with its callbacks.
  Notify__ApiKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=notify-api-key)'
  Receipts__NotifyCallbackBearerToken: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=notify-callback-token)'
  // The returned-letter callback's own bearer token (Notify keeps one per callback).
  Receipts__NotifyReturnedLetterBearerToken: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=notify-returned-letter-token)'
  // SendGrid's Event Webhook verification key: public, but kept beside the API key so both are rotated in one place.
  Receipts__SendGridWebhookPublicKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=sendgrid-webhook-public-key)'
  // The outcome API (docs/outcomes.md): each service with an API signs its reports with its secret; two are valid at
  // once, so one is rotated without a gap. A secret not in the vault leaves the reference unresolved, which the app
  // never takes for a secret: that service is refused until it is set.
  Outcomes__Services__general__Secret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=outcome-secret-general)'
  Outcomes__Services__general__NextSecret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=outcome-secret-general-next)'
  Outcomes__Services__idva__Secret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=outcome-secret-idva)'
  Outcomes__Services__idva__NextSecret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=outcome-secret-idva-next)'
  // Entra ID tokens for services' APIs (directory entraScope) come from the app's own identity.
  Forwarding__ManagedIdentityClientId: identityClientId
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for setting in items(union(identitySettings, pipelineSettings)): {
        name: setting.key
        value: setting.value
      }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

resource basicPublishingCredentialsFtp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource basicPublishingCredentialsScm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

// App Service authentication, in every environment: Entra ID in front of every HTTP request but the paths of
// pathsWithoutSignIn (queue and timer triggers are not HTTP, and run whatever this says). A browser that is not signed in
// is sent to the sign-in page; an API client without a valid token is refused by the platform. Behind it, the app's one
// sign-in gate (SignInGate) trusts the X-MS-CLIENT-PRINCIPAL header the platform passes on only while the platform says
// authentication is on (WEBSITE_AUTH_ENABLED), and requires each door's app role.
resource authentication 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: pathsWithoutSignIn
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: signInClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: ['api://${signInClientId}']
        }
      }
    }
  }
}

// The key Azure Monitor's availability test sends to GET /api/health: a host key of its own, created with the app
// (Functions documents host keys as this resource; Bicep has no type for it, hence BCP081 is silenced).
#disable-next-line BCP081
resource availabilityTestKey 'Microsoft.Web/sites/host/functionKeys@2022-09-01' = {
  name: '${name}/default/availability-test'
  properties: {
    name: 'availability-test'
    value: healthProbeKey
  }
  dependsOn: [app, authentication]
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output healthUrl string = 'https://${app.properties.defaultHostName}/api/health'
