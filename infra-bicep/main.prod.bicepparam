using 'main.bicep'

param environmentName = 'prod'
param forceName = readEnvironmentVariable('FORCE_NAME', 'example')
param recordsSystemPrincipalId = readEnvironmentVariable('RECORDS_SYSTEM_PRINCIPAL_ID')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL')
param sendGridFromAddress = readEnvironmentVariable('SENDGRID_FROM_ADDRESS')
param notifySmsTemplateId = readEnvironmentVariable('NOTIFY_SMS_TEMPLATE_ID')
param notifyLetterTemplateId = readEnvironmentVariable('NOTIFY_LETTER_TEMPLATE_ID')
param sendGridSandboxMode = false
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param talliesApiClientId = readEnvironmentVariable('TALLIES_API_CLIENT_ID')
