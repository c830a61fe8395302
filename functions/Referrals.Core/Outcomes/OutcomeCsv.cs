using System.Text;
using Referrals.Forwarding;

namespace Referrals.Outcomes;

/// <summary>One line of a service's outcome file, read: its line number, the referral's public id and the report.</summary>
public sealed record OutcomeLine(int Line, string PublicId, OutcomeReport Report);

/// <summary>A line that breaks a rule: its number and the rule (never its value).</summary>
public sealed record LineError(int Line, string Rule);

/// <summary>
/// A service's outcome file (docs/outcomes.md): the header <c>referral_id,status,reason,at</c>, then one report a line;
/// UTF-8 with or without a BOM, LF or Excel's CRLF, fields quoted as RFC 4180 allows, blank lines skipped. Every line is
/// read and each bad one reported by its number and rule, so the file can be fixed in one go.
/// </summary>
public static class OutcomeCsv
{
    public const string Header = "referral_id,status,reason,at";

    /// <summary>At most this many reports a file: a month of one service's referrals, with room.</summary>
    public const int MaxLines = 20_000;

    public const string HeaderRule = "Header: the first line must be " + Header;
    public const string FieldsRule = "Fields: a line has four fields, referral_id,status,reason,at";
    public const string IdRule = "ReferralId: not a referral id as the referral document gives it (R- and five groups of five)";
    public const string TooManyRule = "TooManyLines: a file holds at most 20000 reports";
    public const string EncodingRule = "Encoding: the file is not UTF-8";

    public static (IReadOnlyList<OutcomeLine> Lines, IReadOnlyList<LineError> Errors) Read(byte[] bytes, DateTimeOffset now)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes.AsSpan(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0));
        }
        catch (DecoderFallbackException)
        {
            return ([], [new LineError(1, EncodingRule)]);
        }

        var rows = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (rows.Count == 0 || !string.Equals(rows[0].Trim(), Header, StringComparison.OrdinalIgnoreCase))
        {
            return ([], [new LineError(1, HeaderRule)]);
        }

        var (lines, errors) = (new List<OutcomeLine>(), new List<LineError>());
        for (var i = 1; i < rows.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(rows[i]))
            {
                continue;
            }

            if (lines.Count + errors.Count >= MaxLines)
            {
                return (lines, [.. errors, new LineError(i + 1, TooManyRule)]);
            }

            var (line, error) = ReadLine(i + 1, Rules.Csv.SplitLine(rows[i]), now);
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                lines.Add(line!);
            }
        }

        return (lines, errors);
    }

    /// <summary>One line's report, or the first rule it breaks.</summary>
    public static (OutcomeLine? Line, LineError? Error) ReadLine(int number, IReadOnlyList<string> fields, DateTimeOffset now)
    {
        if (fields.Count != 4)
        {
            return (null, new(number, FieldsRule));
        }

        var reason = fields[2].Trim();
        var report = Report(fields[1], reason.Length == 0 ? null : reason, fields[3], now, out var rule);
        return PublicReferralIds.Normalise(fields[0]) is not { } id ? (null, new(number, IdRule))
            : report is null ? (null, new(number, rule!))
            : (new(number, id, report), null);
    }

    /// <summary>A report from its fields as typed (a CSV line, the `outcomes record` command, the API's JSON), or the rule it breaks.</summary>
    public static OutcomeReport? Report(string? status, string? reason, string? at, DateTimeOffset now, out string? rule)
    {
        var s = OutcomeCodes.Status(status?.Trim());
        var r = reason is null ? null : OutcomeCodes.Reason(reason.Trim());
        var time = at is null ? now : OutcomeTimes.Parse(at);
        rule = s is null ? OutcomeRules.UnknownStatus
            : reason is not null && r is null ? OutcomeRules.UnknownReason
            : time is null ? OutcomeRules.BadTime
            : null;
        var report = rule is null ? new OutcomeReport(s!.Value, r, time!.Value) : null;
        rule ??= ServiceReportRule.Refusal(report!, now);
        return rule is null ? report : null;
    }
}
