using System.Text.Json;

namespace Referrals.Tallies;

/// <summary>One Victims' Code measure: how it is computed from the figures, its definition, and what the pipeline cannot see of it.</summary>
public sealed record ComplianceMeasure(string Key, string Name, string Definition, string CannotSee, TallyRate? Rate);

/// <summary>
/// The Victims' Code compliance measures the pipeline can compute (the police's part of the Ministry of Justice's
/// quarterly returns), each with its definition and its blind spots, per month and for the range, from the same
/// figures (and the same suppression) as the tallies.
/// </summary>
public static class ComplianceView
{
    public const string WrittenRoutePrefix = "Written.";

    public static IReadOnlyList<ComplianceMeasure> Measures(IReadOnlyList<TallyCategory> categories)
    {
        var rates = TallyRates.For(categories).ToDictionary(r => r.Key, StringComparer.Ordinal);
        var routes = categories.Where(c => c.Key == TallyCategories.EmailsSent || c.Key.StartsWith(WrittenRoutePrefix, StringComparison.Ordinal)).ToList();
        return
        [
            new("ReferredWithin2WorkingDays", "Referred to a support service within 2 working days",
                "Referrals delivered to a service on or before their due date (2 working days from the crime's recorded date, Europe/London), as a share of referrals delivered.",
                "Whether the service then contacted the victim, and referrals made outside this pipeline (by phone, or by an officer). Failed referrals are counted separately (Referrals Failed), not as late.",
                rates.GetValueOrDefault(TallyRates.OnTime)),
            .. rates.Values.Where(r => r.Service is not null && r.Key.StartsWith(TallyRates.OnTime, StringComparison.Ordinal)).Select(r =>
                new ComplianceMeasure($"ReferredWithin2WorkingDays.{r.Service}", r.Name, r.Definition, "As above, for this service.", r)),
            new("ReferredOrOfferedReferral", "Referred, or asked whether they want a referral",
                "Victims referred automatically, referred after accepting, or for whom a consent-seeking task was raised, as a share of victims seen for the first time.",
                "When the Victim Care Unit actually asked, and victims who were offered support in person. A victim is counted in the month of each step, so a month's share can pass 100%.",
                new TallyRate("ReferredOrOffered", "Referred or offered", string.Empty,
                    [TallyCategories.OptOutAutoReferrals, TallyCategories.AcceptedAndReferred, TallyCategories.AwaitingConsent], [TallyCategories.TotalVictims])),
            .. routes.Select(route => new ComplianceMeasure($"WrittenInformation.{route.Key}", $"Given written information of their rights: {route.Name}",
                $"Victims sent the entitlement information by this route ({route.Name}), as a share of victims seen for the first time.",
                "Information given in person, by an officer, or by a route not counted here; whether it was read. A victim reached by two routes counts in each.",
                new TallyRate(route.Key, route.Name, string.Empty, [route.Key], [TallyCategories.TotalVictims]))),
            .. InformedThenFailed(categories),
            .. InformedWithin(categories, 1, "InformedWithin1WorkingDay", "Informed of their rights within 1 working day"),
            .. InformedWithin(categories, 2, "InformedWithin2WorkingDays", "Informed of their rights within 2 working days"),
            .. ContractShares(categories),
            new("ConsentConverted", "Declined, then accepted support",
                "Victims converted to yes, as a share of victims who declined support.",
                "Victims who declined and were never asked again.",
                rates.GetValueOrDefault(TallyRates.Conversion)),
            new("WrittenAcknowledgement", "Written acknowledgement of the crime report",
                "Not computed: the acknowledgement is sent by the records system, not by this pipeline.",
                "All of it.",
                null),
        ];
    }

    /// <summary>
    /// Rulebook 1.2 section 12, beside "informed": victims counted informed in writing whose message later failed after all
    /// (an asynchronous bounce, a returned letter), in the month it was learnt, as a share of victims informed in writing.
    /// </summary>
    private static IEnumerable<ComplianceMeasure> InformedThenFailed(IReadOnlyList<TallyCategory> categories)
    {
        var keys = categories.Where(c => c.Key.StartsWith(TallyCategories.InformedThenFailedPrefix, StringComparison.Ordinal)).Select(c => c.Key).ToList();
        if (keys.Count == 0 || !categories.Any(c => c.Key == TallyCategories.InformedInWriting))
        {
            yield break;
        }

        yield return new("InformedThenReturnedOrBounced", "Informed, later returned or bounced",
            "Victims counted informed in writing whose message later failed after all (an email's asynchronous bounce, a letter returned undelivered), in the month it was learnt, as a share of victims informed in writing; the next safe channel, or a Victim Care Unit task, followed.",
            "Messages that reached the address but not the victim (a shared inbox, a letter read by someone else).",
            new TallyRate("InformedThenReturnedOrBounced", "Informed, later returned or bounced", string.Empty, keys, [TallyCategories.InformedInWriting]));
    }

    /// <summary>Rulebook 1.2 section 11: what the services did with the referrals they received, as shares of those delivered in the month.</summary>
    private static IEnumerable<ComplianceMeasure> ContractShares(IReadOnlyList<TallyCategory> categories)
    {
        if (!categories.Any(c => c.Key == ContractMeasures.Delivered))
        {
            yield break;
        }

        foreach (var (key, measure, name) in new[]
        {
            ("AcknowledgedByNextWorkingDay", ContractMeasures.Acknowledged, "Acknowledged by the service by the next working day"),
            ("FirstAttemptWithinTarget", ContractMeasures.AttemptedWithinTarget, "First attempt to contact within the service's target"),
            ("ContactedByService", ContractMeasures.Contacted, "Contacted by the service"),
        })
        {
            var category = categories.First(c => c.Key == measure);
            yield return new(key, name, $"{category.Definition} As a share of referrals delivered in the month.", category.CannotSee ?? string.Empty,
                new TallyRate(key, name, string.Empty, [measure], [ContractMeasures.Delivered]));
        }
    }

    /// <summary>A share of the victims in the buckets of the time to inform: those within <paramref name="days"/> working days.</summary>
    private static IEnumerable<ComplianceMeasure> InformedWithin(IReadOnlyList<TallyCategory> categories, int days, string key, string name)
    {
        if (!TallyCategories.InformedAfter.All(k => categories.Any(c => c.Key == k)))
        {
            yield break;
        }

        yield return new(key, name,
            $"Victims whose first message (any channel; a letter when GOV.UK Notify accepted it) was delivered on or before {days} working day{(days == 1 ? string.Empty : "s")} from the crime's recorded date (Europe/London), as a share of victims informed with a known recorded date (the working-days buckets).",
            "Information given in person or by an officer; whether it was read. Victims whose rows predate the recorded date being kept are in no bucket.",
            new TallyRate(key, name, string.Empty, [.. TallyCategories.InformedAfter.Take(days + 1)], TallyCategories.InformedAfter));
    }

    /// <summary>
    /// The compliance view as a CSV (RFC 4180, UTF-8 with a byte order mark, CRLF, as the tallies' CSVs): a row per
    /// measure, a column per month and the total (a share from 0 to 1, blank when there is nothing to divide by or the
    /// month was not counted, [c] when hidden), then its definition and what it cannot see.
    /// </summary>
    public static byte[] ToCsv(TallyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var months = report.Range.Months().ToList();
        var csv = new System.Text.StringBuilder();
        TallyReport.CsvRow(csv, ["Measure", "Name", .. months.Select(m => m.ToString()), report.TotalLabel, "Definition", "What it cannot see"]);
        foreach (var measure in Measures(report.Categories))
        {
            TallyReport.CsvRow(csv, [measure.Key, measure.Name, .. months.Select(m => Cell(measure.Rate, m)), Cell(measure.Rate, null), measure.Definition, measure.CannotSee]);
        }

        return [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(csv.ToString())];

        string Cell(TallyRate? rate, Month? month) => rate is null ? string.Empty : report.RateOf(rate, month) switch
        {
            (_, true) => "[c]",
            ({ } value, _) => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => string.Empty,
        };
    }

    public static byte[] ToJson(TallyReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("view", "compliance");
            json.WriteString("from", report.Range.From.ToString());
            json.WriteString("to", report.Range.To.ToString());
            if (report.Force is not null)
            {
                json.WriteString("force", report.Force);
            }

            if (report.Quarter is not null)
            {
                json.WriteString("quarter", report.Quarter);
            }

            json.WriteStartArray("measures");
            foreach (var measure in Measures(report.Categories))
            {
                json.WriteStartObject();
                json.WriteString("key", measure.Key);
                json.WriteString("name", measure.Name);
                json.WriteString("definition", measure.Definition);
                json.WriteString("cannotSee", measure.CannotSee);
                json.WriteStartObject("months");
                foreach (var month in report.Range.Months())
                {
                    Write(json, month.ToString(), measure.Rate, month);
                }

                json.WriteEndObject();
                Write(json, "total", measure.Rate, null);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();

        void Write(Utf8JsonWriter json, string name, TallyRate? rate, Month? month)
        {
            if (rate is null)
            {
                json.WriteNull(name);
                return;
            }

            switch (report.RateOf(rate, month))
            {
                case (_, true):
                    json.WriteString(name, "[c]");
                    break;
                case ({ } value, _):
                    json.WriteNumber(name, value);
                    break;
                default:
                    json.WriteNull(name);
                    break;
            }
        }
    }
}
