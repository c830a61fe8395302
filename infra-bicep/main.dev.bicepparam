using 'main.bicep'

param environmentName = 'dev'
param forceName = 'example'
param recordsSystemPrincipalId = readEnvironmentVariable('RECORDS_SYSTEM_PRINCIPAL_ID', '00000000-0000-0000-0000-000000000000')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', 'referrals-alerts@police.example')
param signInClientId = readEnvironmentVariable('SIGN_IN_CLIENT_ID')
param sendGridFromAddress = 'victim.care@police.example'
param notifySmsTemplateId = readEnvironmentVariable('NOTIFY_SMS_TEMPLATE_ID', '00000000-0000-0000-0000-000000000001')
param notifyLetterTemplateId = readEnvironmentVariable('NOTIFY_LETTER_TEMPLATE_ID', '00000000-0000-0000-0000-000000000002')
param sendGridSandboxMode = true
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param forceIdentity = {
  name: 'Example Constabulary'
  welshName: 'Heddlu Enghraifft'
  shortName: 'ExamplePol'
  phone: '101'
  phoneWording: '101, the police non-emergency number'
  phoneWordingWelsh: '101, rhif yr heddlu pan nad yw\'n argyfwng'
  victimCareUnitPhone: '01632 960 101'
  victimCareUnitEmail: 'victim.care@police.example'
  website: 'https://www.police.example/'
  privacyNotice: 'https://www.police.example/privacy'
  bilingual: false
}
