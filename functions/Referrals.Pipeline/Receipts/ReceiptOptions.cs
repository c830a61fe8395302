using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// What the webhook and callback endpoints check requests against; both Key Vault references in Azure. Either one left
/// empty makes its endpoint refuse every request (401): the endpoint is closed, never open.
/// </summary>
public sealed class ReceiptOptions
{
    public const string Section = "Receipts";

    /// <summary>SendGrid's Event Webhook verification key (Mail Settings, Signed Event Webhook): Base64 DER, P-256.</summary>
    public string SendGridWebhookPublicKey { get; set; } = string.Empty;

    /// <summary>The bearer token configured in Notify's callback settings (API integration, Callbacks).</summary>
    public string NotifyCallbackBearerToken { get; set; } = string.Empty;
}

/// <summary>GOV.UK Notify's REST API v2: the API key (Key Vault) and where to reach it.</summary>
public sealed class NotifyApiOptions
{
    public const string Section = "Notify";

    /// <summary>A Notify API key: <c>{key name}-{service id}-{secret key}</c>, both ids UUIDs.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Notify itself unless a local stand-in is named.</summary>
    [Url]
    public string BaseUrl { get; set; } = "https://api.notifications.service.gov.uk";

    /// <summary>One HTTP call's timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
