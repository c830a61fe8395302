using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The test hosts' SendGrid Event Webhook key and Notify callback token (<see cref="PipelineTestHost"/> sets both), and
/// posts to a host's own endpoint classes signed or authorised as the providers would.
/// </summary>
internal static class TestWebhooks
{
    public const string CallbackToken = "test-notify-callback-token-4c1d9e27b8";

    public const string ReturnedLetterToken = "test-notify-returned-letter-token-91f0a3";

    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly Lock Signing = new();

    public static string PublicKey { get; } = SendGridTestSignature.PublicKeyOf(Key);

    /// <summary>Signed at the host's own time unless <paramref name="at"/> says otherwise.</summary>
    public static Task<EndpointResponse> PostSendGridAsync(IServiceProvider services, byte[] body, DateTimeOffset? at = null)
    {
        (string Signature, string Timestamp) signed;
        lock (Signing)
        {
            signed = SendGridTestSignature.Sign(Key, body, at ?? services.GetRequiredService<TimeProvider>().GetUtcNow());
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [SendGridSignature.SignatureHeader] = signed.Signature,
            [SendGridSignature.TimestampHeader] = signed.Timestamp,
        };
        return services.GetRequiredService<SendGridWebhookEndpoint>().HandleAsync(new MemoryStream(body), body.Length, name => headers.GetValueOrDefault(name), CancellationToken.None);
    }

    public static Task<EndpointResponse> PostNotifyAsync(IServiceProvider services, byte[] body, string token = CallbackToken) =>
        services.GetRequiredService<NotifyCallbackEndpoint>().HandleAsync(
            new MemoryStream(body), body.Length, name => name == "Authorization" ? $"Bearer {token}" : null, CancellationToken.None);
}
