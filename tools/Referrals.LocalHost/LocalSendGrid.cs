using System.Text.Json;
using MimeKit;
using Referrals.StandIns.SendGrid;

namespace Referrals.LocalHost;

/// <summary>
/// SendGrid on a local run: the loopback stand-in (<see cref="SendGridStandIn"/>, which shares no code with the
/// pipeline), each email written to the outbox as a .eml file (secure emails to services in their own folder) and each
/// entitlement email's review copy under <c>review/</c>.
/// </summary>
public static class LocalSendGrid
{
    /// <summary>The SendGrid category of secure emails to services.</summary>
    public const string ServiceCategory = "service-referral";

    /// <summary>Whether an email is a secure email to a service (else an entitlement email to a victim).</summary>
    public static bool IsServiceEmail(JsonElement mail) =>
        mail.TryGetProperty("categories", out var categories) && categories.ValueKind == JsonValueKind.Array && categories.EnumerateArray().Any(c => c.GetString() == ServiceCategory);

    public static bool IsServiceEmail(System.Text.Json.Nodes.JsonObject mail) =>
        mail["categories"] is System.Text.Json.Nodes.JsonArray categories && categories.Any(c => c?.GetValueKind() == JsonValueKind.String && c.GetValue<string>() == ServiceCategory);

    /// <param name="accepted">Hears of each entitlement email: (crime reference, victim id).</param>
    public static async Task<SendGridStandIn> StartAsync(Outbox? outbox, Action<string, string>? accepted = null, SendGridStandInOptions? options = null)
    {
        var standIn = await SendGridStandIn.StartAsync(options);
        standIn.OnAccepted = async (mail, id) =>
        {
            var toService = IsServiceEmail(mail);
            var args = mail.GetProperty("personalizations")[0].TryGetProperty("custom_args", out var a) ? a : default;
            string Arg(string key) => args.ValueKind == JsonValueKind.Object && args.TryGetProperty(key, out var value) ? value.GetString() ?? string.Empty : string.Empty;

            // An entitlement email names its send only by its token (issue 22): read with the local run's key.
            var (crime, victim) = LocalSettings.Tokens.TryOpen(Arg(Referrals.Receipts.SendGridEvents.TokenArg), out var send) ? (send.CrimeReference, send.VictimId) : (Arg("crimeReference"), Arg("victimId"));
            if (outbox is not null)
            {
                await WriteAsync(outbox, mail, id, toService, crime, victim);
            }

            if (!toService)
            {
                accepted?.Invoke(crime, victim);
            }
        };
        return standIn;
    }

    private static async Task WriteAsync(Outbox outbox, JsonElement mail, string id, bool toService, string crime, string victim)
    {
        using var message = ToMime(mail);
        message.MessageId = $"{id}@sendgrid.local";
        var folder = toService ? Path.Combine(outbox.Path, Outbox.ServicesFolder) : outbox.Path;
        Directory.CreateDirectory(folder);
        var safe = new string([.. $"{crime}_{victim}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        await message.WriteToAsync(outbox.Record(Path.Combine(folder, $"{safe}_{id}.eml")));
        if (!toService)
        {
            // The review copy leaves out what changes from run to run (when it was sent, the stand-in's id).
            var review = outbox.Review(crime, victim, Referrals.Contact.Channel.Email);
            message.MessageId = $"{Path.GetFileNameWithoutExtension(review)}@review.invalid";
            message.Headers.Remove(HeaderId.Date);
            await message.WriteToAsync(review);
        }
    }

    private static MimeMessage ToMime(JsonElement mail)
    {
        var personalization = mail.GetProperty("personalizations")[0];
        var message = new MimeMessage
        {
            Subject = (personalization.TryGetProperty("subject", out var subject) ? subject : mail.GetProperty("subject")).GetString() ?? string.Empty,
        };
        var from = mail.GetProperty("from");
        message.From.Add(new MailboxAddress(from.TryGetProperty("name", out var name) ? name.GetString() : null, from.GetProperty("email").GetString()!));
        foreach (var to in personalization.GetProperty("to").EnumerateArray())
        {
            message.To.Add(MailboxAddress.Parse(to.GetProperty("email").GetString()!));
        }

        string? text = null, html = null;
        foreach (var content in mail.GetProperty("content").EnumerateArray())
        {
            if (content.GetProperty("type").GetString() == "text/html")
            {
                html = content.GetProperty("value").GetString();
            }
            else
            {
                text = content.GetProperty("value").GetString();
            }
        }

        // As SendGrid sends it: quoted-printable UTF-8 parts, and the headers the request set (Content-Language).
        message.Body = Referrals.Emails.EmlWriter.Alternative(text ?? string.Empty, html);
        if (mail.TryGetProperty("headers", out var headers) && headers.TryGetProperty("Content-Language", out var language) && language.GetString() is { } tag)
        {
            message.Headers.Add(HeaderId.ContentLanguage, new string([.. tag.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ',' or ' ')]));
        }

        return message;
    }
}
