using System.Globalization;
using System.Text.Json;
using Referrals.Contact;
using Referrals.Messages;
using Referrals.StandIns.Notify;

namespace Referrals.LocalHost;

/// <summary>
/// GOV.UK Notify on a local run: the loopback stand-in (<see cref="NotifyStandIn"/>, which shares no code with the
/// pipeline) with the service a force sets up in Notify (its id and key, and the text and letter templates pasted from
/// the repo's <c>Messages/Templates</c>), each request it accepts written as JSON under <c>notify/sms/</c> or
/// <c>notify/letters/</c> of the outbox and each message as the victim reads it under <c>review/</c>.
/// </summary>
public static class LocalNotify
{
    public const string ServiceId = NotifyStandInOptions.DefaultServiceId;
    public const string Secret = NotifyStandInOptions.DefaultSecret;
    public const string ApiKey = "local_standin-" + ServiceId + "-" + Secret;
    public const string SmsTemplateId = "5a1c0e2b-7d3f-4e8a-9b6c-2f4d1e3a5b70";
    public const string LetterTemplateId = "8c2e4a6b-1d3f-4a5c-8e7b-3c5d7e9f1a20";
    public const string WelshSmsTemplateId = "3b7d9f1a-2c4e-4f6a-8b0c-1d3e5f7a9b21";
    public const string BilingualLetterTemplateId = "9f1b3d5f-7a9c-4e1b-8d3f-5a7c9e1b3d43";
    public const string NotifyFolder = "notify";

    /// <summary>The stand-in's waits on a local run and in tests: a text's outcome, the print run, a callback's retries.</summary>
    public sealed record Timings(TimeSpan TextOutcomeAfter, TimeSpan PrintRunAfter, TimeSpan CallbackRetryDelay)
    {
        public static readonly Timings Local = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500));

        public static readonly Timings Tests = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A local run returns each letter whose address's first line names this, once printed and posted (issue 22's sample).</summary>
    public const string ReturnedMarker = "Returned Mail";

    /// <summary>
    /// The local run's print run, by address (synthetic samples and tests): a first line naming a letter failure
    /// ("Cancelled …", "Technical Failure …", "Permanent Failure …", "Validation Failed …") gets that status, one naming
    /// "Awaiting Print" stays <c>accepted</c> (Notify's <c>sending</c>); any other letter is printed and posted (<c>received</c>).
    /// </summary>
    public static string SampleLetterOutcome(string address)
    {
        if (address.Contains("awaiting print", StringComparison.OrdinalIgnoreCase))
        {
            return "sending";
        }

        foreach (var status in new[] { "cancelled", "technical-failure", "permanent-failure", "validation-failed" })
        {
            if (address.Contains(status.Replace('-', ' '), StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }

        return "delivered";
    }

    /// <summary>The templates as a force sets them up in Notify: English and Welsh text, the English letter, and the bilingual letter (Welsh first).</summary>
    public static Dictionary<string, NotifyStandInTemplate> Templates(MessageTemplates templates)
    {
        var (en, cy) = (templates.For("en"), templates.For("cy"));
        return new Dictionary<string, NotifyStandInTemplate>(StringComparer.Ordinal)
        {
            [SmsTemplateId] = new("sms", en.TextMessage),
            [LetterTemplateId] = new("letter", en.Letter),
            [WelshSmsTemplateId] = new("sms", cy.TextMessage),
            [BilingualLetterTemplateId] = new("letter", en.Letter, templates.BilingualWelshLetter ?? cy.Letter),
        };
    }

    /// <param name="callbackCopies">How many times each delivery callback is posted (tests of resent receipts).</param>
    /// <param name="letterOutcome">What the print run makes of a letter, by its address (default: <see cref="SampleLetterOutcome"/>).</param>
    public static async Task<NotifyStandIn> StartAsync(Outbox? outbox, Timings? timings = null, TimeProvider? time = null, int callbackCopies = 1, Func<string, string>? letterOutcome = null)
    {
        var waits = timings ?? Timings.Local;
        var standIn = await NotifyStandIn.StartAsync(new NotifyStandInOptions
        {
            Templates = Templates(MessageTemplates.LoadDefault()),
            Time = time ?? TimeProvider.System,
            TextOutcomeAfter = waits.TextOutcomeAfter,
            PrintRunAfter = waits.PrintRunAfter,
            CallbackRetryDelay = waits.CallbackRetryDelay,
            CallbackCopies = callbackCopies,
            LetterOutcome = letterOutcome ?? SampleLetterOutcome,
        });
        if (outbox is not null)
        {
            var counts = new int[2];
            standIn.OnAccepted = notification => WriteAsync(outbox, notification, Interlocked.Increment(ref counts[notification.Type == "sms" ? 0 : 1]));
        }

        return standIn;
    }

    private static async Task WriteAsync(Outbox outbox, NotifyNotification notification, int count)
    {
        var folder = Path.Combine(outbox.Path, NotifyFolder, notification.Type == "sms" ? "sms" : "letters");
        Directory.CreateDirectory(folder);
        var request = notification.Request;
        request["id"] = notification.Id;
        request["content"] = notification.Content;
        await File.WriteAllTextAsync(outbox.Record(Path.Combine(folder, $"{count.ToString("D3", CultureInfo.InvariantCulture)}_{notification.Id}.json")),
            request.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!LocalSettings.Tokens.TryOpenNotify(notification.Reference, out var sent))
        {
            return;
        }

        // The message as the victim reads it, named by crime, victim and channel (ReviewFiles) so two runs compare file by file.
        if (notification.Type == "sms")
        {
            await File.WriteAllTextAsync(outbox.Review(sent.CrimeReference, sent.VictimId, Channel.Sms), notification.Body + "\n");
            return;
        }

        // Notify prints the address block above the letter, once: so does the review copy.
        var pages = notification.Pages.Select((p, i) => (p.Language, i == 0 ? notification.To + "\n\n" + p.Text : p.Text)).ToList();
        await File.WriteAllTextAsync(outbox.Review(sent.CrimeReference, sent.VictimId, Channel.Letter), NotifyTemplate.ToHtml(pages, notification.Subject ?? string.Empty));
    }
}
