using System.Text;
using Referrals.Calendar;
using Referrals.Forwarding;
using Referrals.Outcomes;

namespace Referrals.Tests.Outcomes;

/// <summary>A service's outcome file: BOM or not, CRLF or LF, Excel's UK dates and times (Europe/London), and each bad line by its number and rule, never its value.</summary>
public class OutcomeCsvTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Id = PublicReferralIds.New();

    private static (IReadOnlyList<OutcomeLine> Lines, IReadOnlyList<LineError> Errors) Read(string text, bool bom = false) =>
        OutcomeCsv.Read([.. (bom ? "\uFEFF"u8.ToArray() : []), .. Encoding.UTF8.GetBytes(text)], Now);

    [Theory]
    [InlineData("2026-10-05T09:30:00+01:00", "2026-10-05T08:30:00Z")]
    [InlineData("2026-10-05T08:30:00Z", "2026-10-05T08:30:00Z")]
    [InlineData("2026-10-05T09:30:00", "2026-10-05T08:30:00Z")]
    [InlineData("05/10/2026 09:30", "2026-10-05T08:30:00Z")]
    [InlineData("5/10/2026 9:30:15", "2026-10-05T08:30:15Z")]
    [InlineData("05/12/2026 09:30", "2026-12-05T09:30:00Z")]
    [InlineData("29/03/2026 01:30", "2026-03-29T01:30:00Z")]
    public void A_time_is_ISO_8601_or_as_Excel_writes_it_and_without_an_offset_it_is_Europe_London(string typed, string utc) =>
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), OutcomeTimes.Parse(typed));

    [Theory]
    [InlineData("10/05/2026 9:30 AM")]
    [InlineData("2026-13-01T00:00:00")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void Anything_else_is_not_a_time(string typed) => Assert.Null(OutcomeTimes.Parse(typed));

    [Fact]
    public void A_file_from_Excel_with_BOM_CRLF_quotes_and_blank_lines_reads_every_report()
    {
        var (lines, errors) = Read($"referral_id,status,reason,at\r\n{Id},Received,,05/10/2026 09:30\r\n\"{Id.ToLowerInvariant()}\",CouldNotContact,WrongDetails,\"2026-10-06T10:00:00Z\"\r\n\r\n", bom: true);
        Assert.Empty(errors);
        Assert.Equal([(2, Id, "Received"), (3, Id, "CouldNotContact:WrongDetails")], lines.Select(l => (l.Line, l.PublicId, l.Report.Code)));
    }

    [Fact]
    public void Every_bad_line_is_reported_by_number_and_rule_without_its_value()
    {
        var text = $"referral_id,status,reason,at\n{Id},Received,,05/10/2026 09:30\nSECRET-NAME,Received,,05/10/2026 09:30\n{Id},Phoned,,05/10/2026 09:30\n{Id},CouldNotContact,,05/10/2026 09:30\n{Id},Contacted,NoResponse,05/10/2026 09:30\n{Id},Closed,,someday\n{Id},Closed\n{Id},Closed,,01/01/2027 10:00\n{Id},CouldNotContact,Moved,05/10/2026 09:30\n";
        var (lines, errors) = Read(text);
        Assert.Single(lines);
        Assert.Equal(
            [(3, OutcomeCsv.IdRule), (4, OutcomeRules.UnknownStatus), (5, OutcomeRules.ReasonRequired), (6, OutcomeRules.ReasonNotAllowed), (7, OutcomeRules.BadTime), (8, OutcomeCsv.FieldsRule), (9, OutcomeRules.AtInFuture), (10, OutcomeRules.UnknownReason)],
            errors.Select(e => (e.Line, e.Rule)));
        Assert.DoesNotContain(errors, e => e.Rule.Contains("SECRET", StringComparison.Ordinal) || e.Rule.Contains("Phoned", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_without_the_header_or_not_UTF_8_is_refused_at_line_1()
    {
        Assert.Equal(OutcomeCsv.HeaderRule, Assert.Single(Read($"{Id},Received,,05/10/2026 09:30\n").Errors).Rule);
        Assert.Equal(OutcomeCsv.EncodingRule, Assert.Single(OutcomeCsv.Read([.. "referral_id,status,reason,at\n"u8, 0xFF, 0xFE], Now).Errors).Rule);
        Assert.Equal(London.At(new DateOnly(2026, 10, 5), new TimeOnly(9, 30)), Read($"Referral_ID,Status,Reason,At\n{Id},Received,,05/10/2026 09:30").Lines[0].Report.At);
    }
}
