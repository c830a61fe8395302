// Referrals on Azure: storage (no shared keys), a Flex Consumption function app running as a
// user-assigned identity with identity-based connections, Application Insights with Entra auth,
// Key Vault for secrets, least-privilege role assignments and alerts.
targetScope = 'resourceGroup'

@description('Short environment name, used in resource names: dev, test or prod.')
@allowed(['dev', 'test', 'prod'])
param environmentName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Short name of the force, used in resource names (letters and digits), e.g. "derbys".')
@minLength(2)
@maxLength(8)
param forceName string

@description('Object id of the records system\'s principal (Niche, Athena…): it gets "Storage Queue Data Message Sender" on the crime-events queue only.')
param recordsSystemPrincipalId string

@description('Kind of the records system\'s principal.')
@allowed(['ServicePrincipal', 'Group', 'User'])
param recordsSystemPrincipalType string = 'ServicePrincipal'

@description('Email address alerts are sent to.')
param alertEmail string

@description('The force as every message to a victim names it: at the top and in the signature of each email, text message and letter (docs/architecture.md, "Messages to victims"). Start-up refuses a missing value.')
param forceIdentity {
  @description('The force\'s name, e.g. "Example Constabulary".')
  @maxLength(60)
  name: string
  @description('The name in Welsh messages; empty: the name.')
  @maxLength(60)
  welshName: string?
  @description('At most 11 letters, digits or spaces: the text message sender.')
  @maxLength(11)
  shortName: string
  @description('The number a victim calls, usually 101.')
  phone: string
  @description('How that number is written, e.g. "101, the police non-emergency number".')
  @maxLength(80)
  phoneWording: string
  @maxLength(80)
  phoneWordingWelsh: string?
  victimCareUnitPhone: string
  victimCareUnitEmail: string
  @description('https:// address of the force\'s website.')
  website: string
  @description('https:// address of the page "how we use your information".')
  privacyNotice: string
  @description('true: the Welsh Language Standards apply, so every email and letter is in Welsh and English.')
  bilingual: bool
}

@description('Sender address of the entitlement emails (a domain verified in SendGrid).')
param sendGridFromAddress string

@description('Sender name of the entitlement emails.')
param sendGridFromName string = 'Victim Care Unit'

@description('true: SendGrid validates but does not deliver (test environments).')
param sendGridSandboxMode bool

@description('GOV.UK Notify template id of the entitlement text message (a UUID).')
param notifySmsTemplateId string

@description('GOV.UK Notify template id of the entitlement letter (a UUID).')
param notifyLetterTemplateId string

@description('GOV.UK Notify template ids for writing in Welsh (docs/operations.md; `referrals templates` writes what to paste). Both are required when forceIdentity.bilingual is true: the app refuses to start without them.')
param notifyWelshTemplateIds {
  @description('The Welsh text message (a UUID); empty: a victim who prefers Welsh is texted in English.')
  sms: string
  @description('The bilingual letter, Welsh then English (a UUID); empty: letters are in English only.')
  bilingualLetter: string
} = {
  sms: ''
  bilingualLetter: ''
}

@description('GOV.UK Notify text message sender id (a UUID); empty: the service\'s default sender.')
param notifySmsSenderId string = ''

@description('Most instances the app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Extra non-working days, yyyy-MM-dd separated by commas (e.g. a newly proclaimed bank holiday).')
param extraBankHolidays string = ''

@description('Client id (a UUID) of the Entra ID app registration people and the OPCC\'s clients sign in with (README "Sign-in": create it, and its app roles, before the first deployment). App Service authentication is deployed with it in every environment.')
@minLength(36)
@maxLength(36)
param signInClientId string

@description('The force\'s own limit for the health endpoint: how many working hours (08:00-18:00 Europe/London on working days) the records system may send nothing before the health check calls it silent and the availability alert fires (docs/operations.md).')
@minValue(1)
@maxValue(200)
param recordsSystemSilenceWorkingHours int = 4

@description('The function key the availability test sends to GET /api/health (a host key named availability-test). A new one on each deployment unless given.')
@secure()
param healthProbeKey string = newGuid()

@description('The kill switch: true pauses every outbound email and referral at once (work waits in its queues, nothing is lost); false resumes. Normally false; an operator may also flip the app setting Outbound__Paused directly (docs/operations.md, "The kill switch").')
param outboundPaused bool = false

@description('Days of logs kept in Log Analytics.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

var baseName = 'referrals-${forceName}-${environmentName}'
var uniqueSuffix = take(uniqueString(resourceGroup().id), 6)
var tags = {
  application: 'referrals'
  environment: environmentName
}
var queues = {
  crimeEvents: 'crime-events'
  messages: 'entitlement-messages'
  referrals: 'referrals'
  // The entitlement messages' queue before issue 19 named it for what it carries: drained for one release, then removed.
  oldEmails: 'entitlement-emails'
}
var deploymentContainerName = 'app-package'

// The one list of paths App Service authentication lets through without an Entra ID sign-in: each checks its caller
// itself (SendGrid's signature, GOV.UK Notify's bearer token, the services' outcome signatures, the health endpoint's
// function key). Everything else, the
// people's pages and the OPCC's API, needs a sign-in. A test checks these are the functions' routes, and nothing else.
var pathsWithoutSignIn = [
  '/api/webhooks/sendgrid'
  '/api/webhooks/notify'
  '/api/webhooks/notify-returned-letter'
  '/api/outcomes'
  '/api/health'
]

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${baseName}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${forceName}${environmentName}${uniqueSuffix}', 24)
    location: location
    tags: tags
    queueNames: [queues.crimeEvents, '${queues.crimeEvents}-poison', queues.messages, '${queues.messages}-poison', queues.referrals, '${queues.referrals}-poison', queues.oldEmails, '${queues.oldEmails}-poison']
    tableNames: ['VictimStates', 'DeadLetters', 'TallyEvents', 'MonthlyTallies', 'MonthIndex', 'Heartbeats', 'VictimCareTasks', 'ReferralIds', 'EmailRecipients']
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: baseName
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: take('kv-${forceName}-${environmentName}-${uniqueSuffix}', 24)
    location: location
    tags: tags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: 'func-${baseName}-${uniqueSuffix}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storage: {
      blob: storage.outputs.blobEndpoint
      queue: storage.outputs.queueEndpoint
      table: storage.outputs.tableEndpoint
    }
    deploymentContainerName: deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: keyVault.outputs.name
    signInClientId: signInClientId
    pathsWithoutSignIn: pathsWithoutSignIn
    healthProbeKey: healthProbeKey
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    // The settings the app reads (local.settings.example.json has the same names; a test checks both).
    pipelineSettings: {
      CRIME_EVENTS_QUEUE: queues.crimeEvents
      MESSAGE_QUEUE: queues.messages
      EMAIL_QUEUE: queues.oldEmails
      REFERRAL_QUEUE: queues.referrals
      TABLE_PREFIX: ''
      DEAD_LETTER_REPORT_SCHEDULE: '0 */5 * * * *'
      // Hourly at 10 past, in UTC (Flex Consumption has no time zone setting): the code works out Europe/London months.
      MONTHLY_TALLY_SCHEDULE: '0 10 * * * *'
      // Daily at 02:30 UTC: personal data, dead letters and audit rows past their periods go (docs/privacy.md).
      RETENTION_SCHEDULE: '0 30 2 * * *'
      // The retention periods are the app's own (RetentionOptions): set Retention__PersonalDataDays, __DeadLetterDays or
      // __AuditDays here only to override one for this force.
      // Every 15 minutes: text messages and letters whose Notify callback has not come within the hour are looked up.
      NOTIFY_STATUS_SCHEDULE: '0 */15 * * * *'
      // Every 15 minutes: Victim Care Unit tasks past their due time are counted once each, for the overdue alert.
      TASK_ESCALATION_SCHEDULE: '0 */15 * * * *'
      // Every 15 minutes: a referral not delivered by Deadlines__AtRiskAt (Europe/London) on the working day before it is
      // due gets its notice once, for the at-risk alert (docs/operations.md).
      DEADLINE_WATCH_SCHEDULE: '0 */15 * * * *'
      Deadlines__AtRiskAt: '12:00'
      Deadlines__LookBackDays: '31'
      // A month is final once it ended this many days ago and was recounted after that (docs/tallies.md).
      Tallies__FinalAfterDays: '10'
      // Small counts hidden by the server for every reader without SignIn__UnsuppressedTalliesRole (docs/tallies.md).
      Tallies__SuppressBelow: '5'
      // The app roles (of the signInClientId app registration) each door needs: a person for the dashboard, an OPCC
      // client for GET /api/tallies, a Victim Care Unit operator for the worklist. The app trusts the platform's client-principal header only while App Service sets
      // WEBSITE_AUTH_ENABLED (never set here). README "Sign-in".
      SignIn__DashboardRole: 'Tallies.Read'
      SignIn__TalliesApiRole: 'Tallies.Read'
      SignIn__VictimCareUnitRole: 'VictimCareUnit'
      SignIn__UnsuppressedTalliesRole: 'Tallies.Unsuppressed'
      // The health endpoint (docs/operations.md): a timer is late once its next run is this far overdue; the records
      // system is silent after this much working time without a snapshot.
      Health__TimerGrace: '00:30:00'
      // The outcome API's bounds (docs/outcomes.md).
      Outcomes__ReplayWindow: '00:05:00'
      Outcomes__MaxReports: '100'
      Outcomes__MaxBodyBytes: '65536'
      Outcomes__RequestsPerMinute: '120'
      Health__RecordsSystemSilenceWorkingHours: string(recordsSystemSilenceWorkingHours)
      Health__WorkingDayStart: '08:00'
      Health__WorkingDayEnd: '18:00'
      Forwarding__MaxAttempts: '3'
      Forwarding__MaxRetryDelay: '00:00:10'
      Forwarding__Timeout: '00:00:30'
      Outbound__Paused: string(outboundPaused)
      Outbound__PausedRecheckInterval: '00:01:00'
      SendGrid__Host: 'https://api.sendgrid.com'
      SendGrid__SandboxMode: string(sendGridSandboxMode)
      SendGrid__FromAddress: sendGridFromAddress
      SendGrid__FromName: sendGridFromName
      // true only once the force has turned on Processed and Deferred in SendGrid's Event Webhook settings (docs/receipts.md).
      SendGrid__ProcessedAndDeferredEvents: 'false'
      SendGrid__EmailActivityApi: 'false'
      SendGrid__MaxAttempts: '4'
      SendGrid__MaxRetryDelay: '00:00:20'
      SendGrid__Timeout: '00:00:30'
      SendGrid__SendBudget: '00:01:00'
      Force__Name: forceIdentity.name
      Force__WelshName: forceIdentity.?welshName ?? ''
      Force__ShortName: forceIdentity.shortName
      Force__Phone: forceIdentity.phone
      Force__PhoneWording: forceIdentity.phoneWording
      Force__PhoneWordingWelsh: forceIdentity.?phoneWordingWelsh ?? ''
      Force__VictimCareUnitPhone: forceIdentity.victimCareUnitPhone
      Force__VictimCareUnitEmail: forceIdentity.victimCareUnitEmail
      Force__Website: forceIdentity.website
      Force__PrivacyNotice: forceIdentity.privacyNotice
      Force__Bilingual: string(forceIdentity.bilingual)
      Notify__BaseUrl: 'https://api.notifications.service.gov.uk'
      Notify__SmsTemplateId: notifySmsTemplateId
      Notify__LetterTemplateId: notifyLetterTemplateId
      Notify__WelshSmsTemplateId: notifyWelshTemplateIds.sms
      Notify__BilingualLetterTemplateId: notifyWelshTemplateIds.bilingualLetter
      Notify__SmsSenderId: notifySmsSenderId
      Notify__MaxAttempts: '3'
      Notify__MaxRetryDelay: '00:00:10'
      Notify__Timeout: '00:00:30'
      Notify__SendBudget: '00:01:00'
      Notify__StatusCheckAfter: '01:00:00'
      // The Notify service's data retention for texts and letters, in days (Notify's default).
      Notify__RetentionDays: '7'
      Rules__OffenceCodesPath: ''
      Rules__ServicesPath: ''
      Rules__TemplatesPath: ''
      Rules__MessageTemplatesPath: ''
      Rules__ExtraBankHolidays: extraBankHolidays
      // Ids matching these are logged as they are; anything else as a keyed hash (the key is in Key Vault).
      LogRedaction__CrimeReferencePattern: '[A-Z]{2}/[0-9]{2}/[0-9]{6}'
      LogRedaction__VictimIdPattern: 'V[0-9]{1,3}'
      LogRedaction__EventIdPattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
    }
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    storageAccountName: storage.outputs.name
    crimeEventsQueueName: queues.crimeEvents
    appInsightsName: monitoring.outputs.appInsightsName
    keyVaultName: keyVault.outputs.name
    appPrincipalId: identity.outputs.principalId
    recordsSystemPrincipalId: recordsSystemPrincipalId
    recordsSystemPrincipalType: recordsSystemPrincipalType
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    name: baseName
    location: location
    tags: tags
    alertEmail: alertEmail
    appInsightsId: monitoring.outputs.appInsightsId
    healthUrl: functionApp.outputs.healthUrl
    healthProbeKey: healthProbeKey
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output storageAccountName string = storage.outputs.name
output keyVaultName string = keyVault.outputs.name
output crimeEventsQueueUrl string = '${storage.outputs.queueEndpoint}${queues.crimeEvents}'
