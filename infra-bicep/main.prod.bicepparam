using 'main.bicep'

param environmentName = 'prod'
param forceName = readEnvironmentVariable('FORCE_NAME', 'example')
param recordsSystemPrincipalId = readEnvironmentVariable('RECORDS_SYSTEM_PRINCIPAL_ID')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL')
param sendGridFromAddress = readEnvironmentVariable('SENDGRID_FROM_ADDRESS')
param notifySmsTemplateId = readEnvironmentVariable('NOTIFY_SMS_TEMPLATE_ID')
param notifyLetterTemplateId = readEnvironmentVariable('NOTIFY_LETTER_TEMPLATE_ID')
param notifyWelshTemplateIds = {
  sms: readEnvironmentVariable('NOTIFY_WELSH_SMS_TEMPLATE_ID', '')
  bilingualLetter: readEnvironmentVariable('NOTIFY_BILINGUAL_LETTER_TEMPLATE_ID', '')
}
param sendGridSandboxMode = false
param maximumInstanceCount = 40
param instanceMemoryMB = 2048
param signInClientId = readEnvironmentVariable('SIGN_IN_CLIENT_ID')
param forceIdentity = {
  name: readEnvironmentVariable('FORCE_DISPLAY_NAME')
  welshName: readEnvironmentVariable('FORCE_WELSH_NAME', '')
  shortName: readEnvironmentVariable('FORCE_SHORT_NAME')
  phone: readEnvironmentVariable('FORCE_PHONE', '101')
  phoneWording: readEnvironmentVariable('FORCE_PHONE_WORDING', '101, the police non-emergency number')
  phoneWordingWelsh: readEnvironmentVariable('FORCE_PHONE_WORDING_WELSH', '')
  victimCareUnitPhone: readEnvironmentVariable('VICTIM_CARE_UNIT_PHONE')
  victimCareUnitEmail: readEnvironmentVariable('VICTIM_CARE_UNIT_EMAIL')
  website: readEnvironmentVariable('FORCE_WEBSITE')
  privacyNotice: readEnvironmentVariable('FORCE_PRIVACY_NOTICE')
  bilingual: bool(readEnvironmentVariable('FORCE_BILINGUAL', 'false'))
}
