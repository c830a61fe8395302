using System.ComponentModel.DataAnnotations;
using Referrals.Messages;

namespace Referrals.Pipeline.Configuration;

/// <summary>
/// GOV.UK Notify, for text messages and letters: the API key comes from Key Vault (a Key Vault reference in app
/// settings), never from the repo; template ids and the SMS sender id are settings. The templates' content is in
/// the repo (<c>Messages/Templates</c>, `referrals templates` says which to paste where): English is required; the Welsh text
/// and the bilingual letter are optional, and required when <c>Force:Bilingual</c> is set (start-up refuses without
/// them). Without them a victim who prefers Welsh is sent the English text or letter, never nothing.
/// </summary>
public sealed class NotifyOptions() : SendBudgetOptions(maxAttempts: 3, maxRetryDelay: TimeSpan.FromSeconds(10))
{
    public const string Section = "Notify";

    /// <summary>Notify's key: "{name}-{service id}-{secret}"; the JWT is signed with the secret part (HS256).</summary>
    [Required(ErrorMessage = "Notify:ApiKey is required (a Key Vault reference in Azure).")]
    [MinLength(74, ErrorMessage = "Notify:ApiKey must be a GOV.UK Notify API key (its name, service id and secret).")]
    public string ApiKey { get; set; } = string.Empty;

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://api.notifications.service.gov.uk";

    /// <summary>The English text message (<c>en/text.txt</c>).</summary>
    [Required(ErrorMessage = "Notify:SmsTemplateId is required.")]
    [RegularExpression("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", ErrorMessage = "Notify:SmsTemplateId must be a template id (a UUID).")]
    public string SmsTemplateId { get; set; } = string.Empty;

    /// <summary>The English letter (<c>en/letter.md</c>).</summary>
    [Required(ErrorMessage = "Notify:LetterTemplateId is required.")]
    [RegularExpression("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", ErrorMessage = "Notify:LetterTemplateId must be a template id (a UUID).")]
    public string LetterTemplateId { get; set; } = string.Empty;

    /// <summary>The Welsh text message (<c>cy/text.txt</c>); empty: Welsh speakers get the English text.</summary>
    [RegularExpression("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$", ErrorMessage = "Notify:WelshSmsTemplateId must be empty or a template id (a UUID).")]
    public string? WelshSmsTemplateId { get; set; }

    /// <summary>
    /// The bilingual letter, Welsh then English (Welsh content <see cref="MessageTemplates.BilingualWelshLetter"/>, English
    /// <c>en/letter.md</c>): a Welsh speaker's letter, and everyone's for a bilingual force; empty: the English letter.
    /// </summary>
    [RegularExpression("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$", ErrorMessage = "Notify:BilingualLetterTemplateId must be empty or a template id (a UUID).")]
    public string? BilingualLetterTemplateId { get; set; }

    /// <summary>The text message sender's id in Notify; empty: the service's default sender.</summary>
    [RegularExpression("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$", ErrorMessage = "Notify:SmsSenderId must be empty or a sender id (a UUID).")]
    public string? SmsSenderId { get; set; }

    /// <summary>How long after Notify accepted a message, with no callback since, the status timer asks Notify for its status.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan StatusCheckAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The service's data retention for text messages and letters, in days (Notify's default 7; a service may ask for 3 to
    /// 90). Notify deletes a notification after it (app/celery/nightly_tasks.py lines 224-269 at 8ea2366), so the status
    /// timer looks a send up only within it; an unknown outcome still unsettled, or a message still without a final
    /// status, when it ends raises a ContactNeeded task (rulebook 1.2 section 6).
    /// </summary>
    [Range(3, 90)]
    public int RetentionDays { get; set; } = 7;

    /// <summary>The templates set up in Notify, by kind: English always, the others when their id is set.</summary>
    public IReadOnlySet<NotifyTemplateKind> Available =>
        Enum.GetValues<NotifyTemplateKind>().Where(kind => !string.IsNullOrEmpty(TemplateId(kind))).ToHashSet();

    public string? TemplateId(NotifyTemplateKind kind) => kind switch
    {
        NotifyTemplateKind.EnglishText => SmsTemplateId,
        NotifyTemplateKind.WelshText => WelshSmsTemplateId,
        NotifyTemplateKind.EnglishLetter => LetterTemplateId,
        NotifyTemplateKind.BilingualLetter => BilingualLetterTemplateId,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a Notify template."),
    };

    /// <summary>A force bound by the Welsh Language Standards writes in Welsh: every Welsh template is set up.</summary>
    public bool ReadyForWelsh => !string.IsNullOrEmpty(WelshSmsTemplateId) && !string.IsNullOrEmpty(BilingualLetterTemplateId);

}
