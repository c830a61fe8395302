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

    /// <summary>The bearer token configured in Notify's returned-letter callback settings (its own, beside the delivery receipts').</summary>
    public string NotifyReturnedLetterBearerToken { get; set; } = string.Empty;
}
