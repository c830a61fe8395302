using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Referrals.Rendering;

namespace Referrals.Pipeline.Privacy;

/// <summary>
/// The subject-access document (<see cref="SubjectAccess"/>) as a page the victim can read: plain words, dates in UK
/// time, headings and tables a screen reader can follow. It is made from the JSON document only, so the two never
/// disagree. Every value is one line (<see cref="SafeText.OneLine"/>) and HTML-encoded: no value adds a line, a heading or a label.
/// </summary>
public static partial class SubjectAccessPage
{
    private static readonly NodaTime.DateTimeZone London = NodaTime.DateTimeZoneProviders.Tzdb["Europe/London"];

    public static string Render(JsonObject built)
    {
        // As written to the file: every value a JSON value (a date a string), whatever type built it.
        var document = JsonNode.Parse(built.ToJsonString())!.AsObject();
        var page = new StringBuilder();
        page.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>The information we hold about you</title>
            <style>
            body { font-family: Arial, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.5; color: #0b0c0c; }
            .rows { overflow-x: auto; margin-bottom: 1rem; }
            table { border-collapse: collapse; width: 100%; }
            td, dd { overflow-wrap: anywhere; }
            th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #b1b4b6; padding: 0.4rem; }
            dt { font-weight: bold; } dd { margin: 0 0 0.5rem 0; }
            </style>
            </head>
            <body>
            <main>
            <h1>The information we hold about you</h1>

            """);
        P(page, $"This is everything the force's Referrals system holds about you as the victim with id {Text(document["victimId"])} in crime {Text(document["crimeReference"])}. It was produced on {Date(document["exportedAt"])}.");
        if (document["erased"]?.GetValue<bool>() == true)
        {
            P(page, "Your personal details were erased at your request or because they were recorded in error. We keep the record of what was decided and sent, without your details.");
        }
        else if (document["personalDataRemovedAt"] is { } removed)
        {
            P(page, $"Your personal details were removed on {Date(removed)}, when the time we keep them for ran out. We keep the record of what was decided and sent, without your details.");
        }

        Details(page, document["personalData"] as JsonObject);
        Section(page, "Messages sent to you", "We have not sent you any messages.", document["messages"], ["What", "To", "Sent to", "Status", "Sent", "Delivered"],
            m => [Words(m["channel"]) switch { "sms" => "Text message", var w => Capital(w) }, Words(m["to"]) switch { "victim" => "You", "parent or guardian" => "Your parent or guardian", _ => "—" },
                  m["sentTo"] is JsonObject address ? Address(address) : Text(m["sentTo"]), Capital(Words(m["status"])) + (m["reason"] is { } r ? $" ({Words(r)})" : string.Empty), Date(m["sentAt"]), Date(m["deliveredAt"])]);
        Section(page, "Referrals to support services", "We have not referred you to any service.", document["referrals"], ["Service", "What", "Status", "Created", "Delivered"],
            d => [Text(d["serviceName"]), Capital(Words(d["what"])), Capital(Words(d["status"])), Date(d["createdAt"]), Date(d["deliveredAt"])]);
        Section(page, "Tasks for the Victim Care Unit", "The Victim Care Unit has had no tasks about you.", document["tasks"], ["Task", "Status", "Raised", "Due", "Closed", "Why"],
            t => [Capital(Words(t["kind"])), Capital(Words(t["state"])) + ((t["outcome"] ?? t["withdrawnBecause"]) is { } o ? $" ({Words(o)})" : string.Empty), Date(t["raisedAt"]), Date(t["dueAt"]), Date(t["closedAt"]), TaskReasons(t)]);
        Section(page, "What support services told us", "No service has told us anything about your referral.", document["outcomes"], ["Service", "What they reported", "First reported"],
            o => [Text(o["serviceName"]), Capital(Words(o["status"])), Date(o["firstReportedAt"])]);
        Section(page, "Decisions and changes, oldest first", "Nothing has been decided about you.", document["decisions"], ["When", "What", "Details", "Because"],
            e => [Date(e["at"]), Capital(Words(e["what"])) + (e["by"] is null ? string.Empty : ", by staff"), Join(e["facts"]), Join(e["reasons"])]);
        Section(page, "Messages about your crime that we could not process", "There are none.", document["messagesNotProcessed"], ["Reference", "Received", "Why"],
            l => [Text(l["id"]), Date(l["receivedAt"]), Text(l["reason"])]);
        P(page, "Others hold copies of what was sent: Twilio SendGrid (emails), GOV.UK Notify (text messages and letters) and the services named above. Ask them for their copies.");
        page.Append("</main>\n</body>\n</html>\n");
        return page.ToString();
    }

    private static void Details(StringBuilder page, JsonObject? person)
    {
        page.Append("<h2>Your details as we hold them</h2>\n");
        if (person is null)
        {
            P(page, "We no longer hold your name or contact details.");
            return;
        }

        page.Append("<dl>\n");
        foreach (var (name, value) in person.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var shown = value switch
            {
                JsonObject address when name == "address" => Address(address),
                JsonValue v when v.GetValueKind() is JsonValueKind.True => "yes",
                JsonValue v when v.GetValueKind() is JsonValueKind.False => "no",
                JsonValue v when name == "support" && v.GetValueKind() == JsonValueKind.String && SupportAnswers.TryGetValue(v.GetValue<string>(), out var answer) => answer,
                JsonArray list => Join(list),
                _ => Text(value),
            };
            page.Append(CultureInfo.InvariantCulture, $"<dt>{(Labels.TryGetValue(name, out var label) ? label : Capital(Words(name)))}</dt><dd>{shown}</dd>\n");
        }

        page.Append("</dl>\n");
    }

    /// <summary>The snapshot's field names (crime-event-v1) as a victim reads them; any other field by its name in words.</summary>
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["id"] = "Your id in the crime record",
        ["dateOfBirth"] = "Date of birth",
        ["email"] = "Email address",
        ["emailSafe"] = "Safe to email you",
        ["phone"] = "Phone number",
        ["phoneSafe"] = "Safe to phone or text you",
        ["address"] = "Postal address",
        ["addressSafe"] = "Safe to write to you",
        ["vulnerable"] = "Recorded as vulnerable",
        ["intimidated"] = "Recorded as intimidated",
        ["bereavedRelative"] = "Recorded as a bereaved relative",
        ["support"] = "Referral to support services",
        ["parentOrGuardianRecorded"] = "A parent or guardian is recorded",
    };

    /// <summary>The snapshot's <c>support</c> codes (crime-event-v1) in words; any other value is shown as held.</summary>
    private static readonly Dictionary<string, string> SupportAnswers = new(StringComparer.Ordinal)
    {
        ["NotAsked"] = "you have not been asked yet",
        ["Accepted"] = "you said yes",
        ["Declined"] = "you said no",
    };

    /// <summary>
    /// A task's reason codes (<see cref="Referrals.Tasks.TaskConditions"/>) in the victim's words, one a line: the consent
    /// codes, each channel of the contact plan and how far it got (<c>Email:NoEmailAddress</c>), and what a service
    /// reported (<c>general:CouldNotContact:WrongDetails</c>, named by the task's service). Any other code is shown as held.
    /// </summary>
    private static string TaskReasons(JsonNode task) => task["reasons"] is JsonArray { Count: > 0 } reasons
        ? string.Join("<br>", reasons.Select(r => r is JsonValue v && v.GetValueKind() == JsonValueKind.String ? TaskReason(task, v.GetValue<string>()) ?? Text(r) : Text(r)))
        : "—";

    private static string? TaskReason(JsonNode task, string code)
    {
        if (TaskReasonWords.TryGetValue(code, out var words))
        {
            return words;
        }

        var service = task["service"] is { } name ? Text(name) : "The service";
        var reported = ServiceReports.FirstOrDefault(r => code.EndsWith(":" + r.Key, StringComparison.Ordinal));
        if (reported.Key is not null && code.Length > reported.Key.Length + 1)
        {
            return $"{service} {reported.Value}";
        }

        var parts = code.Split(':');
        return parts.Length == 2 && ChannelWords.TryGetValue(parts[0], out var channel) && ChannelProgressWords.TryGetValue(parts[1], out var progress)
            ? $"{channel}: {progress}"
            : null;
    }

    /// <summary>The consent tasks' codes.</summary>
    private static readonly Dictionary<string, string> TaskReasonWords = new(StringComparer.Ordinal)
    {
        ["SupportNotAsked"] = "You have not been asked yet whether you want support",
        ["ConsentPathway"] = "We refer you to a support service only if you agree",
        ["DeclinedInRecord"] = "The crime record says you did not want support",
        ["DeclinedToVictimCareUnit"] = "You told the Victim Care Unit you did not want support",
    };

    /// <summary>What a service reported that raises a task (<see cref="Referrals.Outcomes.ServiceReportRule.TaskFor"/>), after its name.</summary>
    private static readonly Dictionary<string, string> ServiceReports = new(StringComparer.Ordinal)
    {
        ["CouldNotContact:WrongDetails"] = "could not contact you: the contact details it had were wrong",
        ["CouldNotContact:NoResponse"] = "could not contact you: there was no answer",
        ["ContactUnsafe"] = "judged it was not safe to contact you",
    };

    private static readonly Dictionary<string, string> ChannelWords =
        Enum.GetValues<Referrals.Contact.Channel>().ToDictionary(c => c.ToString(), c => Capital(Referrals.Contact.ChannelNames.Noun(c)), StringComparer.Ordinal);

    /// <summary>How far a channel of the contact plan got, or why it was not used (<see cref="Referrals.State.MessageReason"/>).</summary>
    private static readonly Dictionary<string, string> ChannelProgressWords = new(StringComparer.Ordinal)
    {
        ["Safe"] = "safe to use, not used yet",
        ["InFlight"] = "on its way to you",
        ["Delivered"] = "it reached you",
        ["Failed"] = "it did not reach you",
        ["Unsettled"] = "we could not find out whether it reached you",
        ["FamilyLiaison"] = "your family liaison officer tells you in person",
        ["NoSafeRecipient"] = "there is no parent or guardian we may write to",
        ["NoEmailAddress"] = "we have no email address we can use",
        ["NoMobileNumber"] = "we have no mobile number we can text",
        ["NoPostalAddress"] = "we have no postal address we can write to",
        ["UnsafeToContact"] = "it is not safe to contact you this way",
        ["NotConfirmedSafe"] = "it has not been confirmed safe to contact you this way",
        ["AnotherChannel"] = "we used another way",
        ["NotInLatestSnapshot"] = "the crime record no longer lists you",
        ["Erased"] = "your details were erased",
        ["Refused"] = "it could not be sent",
        ["RetriesExhausted"] = "it could not be sent",
        ["OutcomeUnknown"] = "we could not find out whether it was sent",
        ["ReportedFailed"] = "it did not reach you",
        ["TechnicalFailure"] = "it could not be sent",
    };

    private static void Section(StringBuilder page, string heading, string none, JsonNode? rows, string[] columns, Func<JsonNode, string[]> cells)
    {
        page.Append(CultureInfo.InvariantCulture, $"<h2>{heading}</h2>\n");
        if (rows is not JsonArray { Count: > 0 } list)
        {
            P(page, none);
            return;
        }

        page.Append(CultureInfo.InvariantCulture, $"<div class=\"rows\" role=\"region\" aria-label=\"{heading}\" tabindex=\"0\">\n<table>\n<thead><tr>");
        foreach (var column in columns)
        {
            page.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{column}</th>");
        }

        page.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in list.OfType<JsonNode>())
        {
            page.Append("<tr>");
            foreach (var cell in cells(row))
            {
                page.Append(CultureInfo.InvariantCulture, $"<td>{cell}</td>");
            }

            page.Append("</tr>\n");
        }

        page.Append("</tbody>\n</table>\n</div>\n");
    }

    /// <summary>A paragraph of the page's own words with encoded values already in it.</summary>
    private static void P(StringBuilder page, string encoded) => page.Append(CultureInfo.InvariantCulture, $"<p>{encoded}</p>\n");

    /// <summary>A value as one line of HTML-encoded text ("not held" when there is none).</summary>
    private static string Text(JsonNode? value) => value switch
    {
        null => "—",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => WebUtility.HtmlEncode(SafeText.OneLine(v.GetValue<string>()) ?? string.Empty),
        _ => WebUtility.HtmlEncode(SafeText.OneLine(value.ToJsonString()) ?? string.Empty),
    };

    private static string Join(JsonNode? list) => list is JsonArray { Count: > 0 } items ? string.Join("<br>", items.Select(Text)) : "—";

    private static string Address(JsonObject address) =>
        string.Join(", ", (address["lines"] as JsonArray ?? []).Append(address["postcode"]).Where(l => l is not null).Select(Text));

    /// <summary>A date and time as UK time, in words ("7 December 2026 at 09:30").</summary>
    private static string Date(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? NodaTime.Extensions.DateTimeOffsetExtensions.ToInstant(at).InZone(London).ToDateTimeOffset().ToString("d MMMM yyyy 'at' HH:mm", CultureInfo.GetCultureInfo("en-GB"))
            : "—";

    /// <summary>A code of the pipeline's as lower-case words ("AutoReferred" → "auto referred"), HTML-encoded.</summary>
    private static string Words(JsonNode? code) => code is JsonValue v && v.GetValueKind() == JsonValueKind.String
        ? WebUtility.HtmlEncode(SafeText.OneLine(CodeWords().Replace(v.GetValue<string>(), " $1").Replace('_', ' ').Trim().ToLowerInvariant()) ?? string.Empty)
        : "—";

    private static string Capital(string words) => words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CodeWords();
}
