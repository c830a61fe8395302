using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tests.Contact;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Tallies;

/// <summary>
/// The working days from a crime's recorded date (Monday 5 October 2026, Europe/London) to the delivery of the victim's
/// first message: one bucket per victim, within 1 and 2 working days, and the median of the buckets.
/// </summary>
public class TimeToInformTests
{
    private static readonly Month October = new(2026, 10);

    private static DateOnly Day(int month, int day) => new(2026, month, day);

    private static DateTimeOffset London(int month, int day, int hour = 12) => new(2026, month, day, hour, 0, 0, TimeSpan.FromHours(month is > 3 and < 11 && !(month == 10 && day >= 25) ? 1 : 0));

    private static VictimState Step(VictimState? previous, Victim victim, long version = 1, DateTimeOffset? recordedAt = null) =>
        VictimTransition.Apply(previous, Decide(Snapshot("28E", version: version, recordedAt: recordedAt, victims: victim)), RecordedAt, October, WorkingDays).Next;

    private static VictimState Sent(VictimState v, Channel channel) => channel switch
    {
        Channel.Email => v.With(Channel.Email, v.Contact.Email with { Status = MessageStatus.Sent }),
        Channel.Sms => v with { Contact = v.Contact with { Sms = v.Contact.Sms with { Status = MessageStatus.Sent, Attempts = 1 } } },
        _ => v with { Contact = v.Contact with { Letter = v.Contact.Letter with { Status = MessageStatus.Sent, Attempts = 1 } } },
    };

    private static VictimState Receipt(VictimState v, Channel channel, ReceiptStatus kind, DateTimeOffset at) =>
        ReceiptRule.Apply(v, channel, kind, channel == Channel.Email ? null : 1, at, at, new Month(at.Year, at.Month), WorkingDays).Next;

    private static VictimState EmailDelivered(DateTimeOffset at, DateTimeOffset? recordedAt = null) =>
        Receipt(Sent(Step(null, ContactRuleTests.Reachable(), recordedAt: recordedAt), Channel.Email), Channel.Email, ReceiptStatus.Delivered, at);

    private static string[] TimeKeys(VictimState v) =>
        [.. v.Counted.Keys.Where(k => k.StartsWith(TallyCategories.InformedAfterPrefix, StringComparison.Ordinal) || k.StartsWith("InformedWithin", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("2026-10-05", "2026-10-05", 0)] // the recorded day
    [InlineData("2026-10-05", "2026-10-02", 0)] // before it: clock skew
    [InlineData("2026-10-05", "2026-10-06", 1)]
    [InlineData("2026-10-05", "2026-10-07", 2)]
    [InlineData("2026-10-09", "2026-10-10", 1)] // Friday to Saturday: counts as Monday, the first working day after
    [InlineData("2026-10-09", "2026-10-12", 1)] // over the weekend
    [InlineData("2026-10-09", "2026-10-13", 2)]
    [InlineData("2026-10-10", "2026-10-11", 1)] // recorded on a Saturday: Sunday counts as Monday
    [InlineData("2026-10-10", "2026-10-10", 0)]
    [InlineData("2026-12-24", "2026-12-29", 1)] // Christmas Day (Friday) and Boxing Day's substitute (Monday 28th) are bank holidays
    [InlineData("2026-12-24", "2026-12-30", 2)]
    [InlineData("2026-10-05", "2026-10-13", 6)] // 6 working days: the open bucket
    [InlineData("2026-10-05", "2027-10-05", 6)]
    public void Working_days_are_counted_as_a_deadline_is(string recorded, string delivered, int days) =>
        Assert.Equal(days, new WorkingDayCalendar().WorkingDaysTo(DateOnly.Parse(recorded, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(delivered, System.Globalization.CultureInfo.InvariantCulture), 6));

    [Fact]
    public void The_forces_extra_bank_holidays_are_not_working_days_and_the_far_future_does_not_throw()
    {
        Assert.Equal(1, new WorkingDayCalendar([Day(10, 6)]).WorkingDaysTo(Day(10, 5), Day(10, 7), 6));
        Assert.Equal(6, new WorkingDayCalendar().WorkingDaysTo(Day(10, 5), DateOnly.MaxValue, 6));
        Assert.Equal(0, new WorkingDayCalendar().WorkingDaysTo(Day(10, 5), Day(10, 9), 0));
    }

    [Property(MaxTest = 300)]
    public Property The_working_days_are_the_fewest_n_with_the_day_on_or_before_the_nth_working_day_after_recording() =>
        Prop.ForAll(Gen.Choose(0, 800).ToArbitrary(), Gen.Choose(-5, 30).ToArbitrary(), (start, gap) =>
        {
            var calendar = new WorkingDayCalendar();
            var recorded = new DateOnly(2025, 1, 1).AddDays(start);
            var delivered = recorded.AddDays(gap);
            var days = calendar.WorkingDaysTo(recorded, delivered, 100);
            return delivered <= calendar.AddWorkingDays(recorded, days) && (days == 0 || delivered > calendar.AddWorkingDays(recorded, days - 1));
        });

    [Fact]
    public void An_email_delivered_on_the_recorded_day_is_informed_after_0_working_days_within_1_and_2_in_the_month_it_was_queued()
    {
        var v = EmailDelivered(London(10, 5, 17));

        Assert.Equal(["InformedAfterWorkingDays.0", "InformedWithinOneWorkingDay", "InformedWithinTwoWorkingDays"], TimeKeys(v));
        Assert.All(TimeKeys(v), k => Assert.Equal(October, v.Counted[k]));
        Assert.Equal(Day(10, 5), v.RecordedOn);
    }

    [Fact]
    public void Delivered_over_a_weekend_and_after_2_working_days_is_in_its_bucket_only()
    {
        // Recorded Friday 9 October, delivered Tuesday 13th: 2 working days (Monday, Tuesday).
        var friday = EmailDelivered(London(10, 13), recordedAt: London(10, 9, 9));
        Assert.Equal(["InformedAfterWorkingDays.2", "InformedWithinTwoWorkingDays"], TimeKeys(friday));

        var late = EmailDelivered(London(10, 8));
        Assert.Equal(["InformedAfterWorkingDays.3"], TimeKeys(late));
        Assert.Equal(["InformedAfterWorkingDays.6+"], TimeKeys(EmailDelivered(London(11, 20))));
    }

    [Fact]
    public void Delivered_before_it_was_recorded_clock_skew_counts_as_0() =>
        Assert.Equal(["InformedAfterWorkingDays.0", "InformedWithinOneWorkingDay", "InformedWithinTwoWorkingDays"], TimeKeys(EmailDelivered(London(10, 4))));

    [Fact]
    public void A_letter_counts_when_Notify_reports_it_received_never_while_it_is_accepted()
    {
        var v = Step(null, ContactRuleTests.Reachable(emailSafe: false, phoneSafe: false));
        Assert.Equal(MessageStatus.Queued, v.Contact.Letter.Status);

        v = Receipt(Sent(v, Channel.Letter), Channel.Letter, Referrals.Receipts.NotifyStatuses.Map(Channel.Letter, "accepted")!.Value, London(10, 6));
        Assert.Equal(MessageStatus.Sent, v.Contact.Letter.Status);
        Assert.Empty(TimeKeys(v));
        Assert.DoesNotContain(TallyCategories.InformedBy(Channel.Letter), v.Counted.Keys);
        Assert.Contains(TallyCategories.TotalVictims, v.Counted.Keys);

        v = Receipt(v, Channel.Letter, Referrals.Receipts.NotifyStatuses.Map(Channel.Letter, "received")!.Value, London(10, 7));

        Assert.Equal(MessageStatus.Delivered, v.Contact.Letter.Status);
        Assert.Equal(["InformedAfterWorkingDays.2", "InformedWithinTwoWorkingDays"], TimeKeys(v));
    }

    [Fact]
    public void A_delivery_reported_after_the_victim_was_bucketed_never_adds_a_second_bucket_even_when_it_happened_earlier()
    {
        var v = EmailDelivered(London(10, 20));
        var both = v with { Contact = v.Contact with { Sms = v.Contact.Sms with { Status = MessageStatus.Sent, Attempts = 1 } } };

        both = Receipt(both, Channel.Sms, ReceiptStatus.Delivered, London(10, 6));

        Assert.Equal(MessageStatus.Delivered, both.Contact.Sms.Status);
        Assert.Equal(TimeKeys(v), TimeKeys(both));
        Assert.Single(both.Counted.Keys, k => k.StartsWith(TallyCategories.InformedAfterPrefix, StringComparison.Ordinal));
        Assert.Equal(v.Counted[TallyCategories.InformedInWriting], both.Counted[TallyCategories.InformedInWriting]);
    }

    [Fact]
    public void A_victim_is_in_one_bucket_ever_under_redelivery_and_a_second_channel_delivered_later()
    {
        var v = EmailDelivered(London(10, 6));
        var again = Receipt(v, Channel.Email, ReceiptStatus.Delivered, London(10, 20));
        Assert.Equal(v.Counted, again.Counted);

        // Unusually, a text message delivered too (a state no sender makes now, but a receipt may still arrive for it).
        var both = v with { Contact = v.Contact with { Sms = v.Contact.Sms with { Status = MessageStatus.Sent, Attempts = 1 } } };
        both = Receipt(both, Channel.Sms, ReceiptStatus.Delivered, London(10, 20));
        Assert.Equal(["InformedAfterWorkingDays.1", "InformedWithinOneWorkingDay", "InformedWithinTwoWorkingDays"], TimeKeys(both));
        Assert.Equal([TallyCategories.InformedBy(Channel.Sms)], TallyRule.Between(v, both).Select(e => e.Category));
    }

    [Fact]
    public void A_row_written_before_the_recorded_date_was_kept_is_counted_by_route_only_so_every_time_figure_is_an_exact_sum_of_buckets()
    {
        var old = Sent(Step(null, ContactRuleTests.Reachable()), Channel.Email) with { RecordedOn = null };

        var v = Receipt(old, Channel.Email, ReceiptStatus.Delivered, London(10, 7));

        Assert.Empty(TimeKeys(v));
        Assert.DoesNotContain(TallyCategories.InformedInWriting, v.Counted.Keys);
        Assert.Contains(TallyCategories.InformedBy(Channel.Email), v.Counted.Keys);

        // Its next snapshot brings the recorded date, but the victim was informed already: still no bucket.
        Assert.Empty(TimeKeys(Step(v, ContactRuleTests.Reachable(), version: 2)));
    }

    [Property(MaxTest = 200)]
    public Property Each_victim_informed_is_in_exactly_one_bucket_and_within_1_at_most_within_2_at_most_informed() =>
        Prop.ForAll(Gen.ListOf(Gen.Choose(-2, 40)).ToArbitrary(), offsets =>
        {
            var victims = offsets.Select(o => EmailDelivered(RecordedAt.AddDays(o))).ToList();
            long Count(string key) => victims.Count(v => v.Counted.ContainsKey(key));
            var buckets = TallyCategories.InformedAfter.Select(Count).ToList();
            var informed = Count(TallyCategories.InformedBy(Channel.Email));
            return victims.All(v => v.Counted.Keys.Count(k => k.StartsWith(TallyCategories.InformedAfterPrefix, StringComparison.Ordinal)) == 1)
                && buckets.Sum() == informed
                && Count(TallyCategories.InformedWithinOneWorkingDay) == buckets[0] + buckets[1]
                && Count(TallyCategories.InformedWithinTwoWorkingDays) == buckets[0] + buckets[1] + buckets[2]
                && Count(TallyCategories.InformedWithinOneWorkingDay) <= Count(TallyCategories.InformedWithinTwoWorkingDays);
        });

    [Theory]
    [InlineData(new long[] { 0, 0, 0, 0, 0, 0, 0 }, null)]
    [InlineData(new long[] { 1, 0, 0, 0, 0, 0, 0 }, "0")]
    [InlineData(new long[] { 1, 1, 0, 0, 0, 0, 0 }, "0")] // the lower median: half were informed within 0 working days
    [InlineData(new long[] { 1, 1, 1, 0, 0, 0, 0 }, "1")]
    [InlineData(new long[] { 0, 2, 3, 4, 0, 0, 0 }, "2")]
    [InlineData(new long[] { 1, 0, 0, 0, 0, 1, 2 }, "5")]
    [InlineData(new long[] { 1, 0, 0, 0, 0, 0, 2 }, "6 or more")]
    public void The_median_is_the_fewest_working_days_within_which_half_were_informed(long[] buckets, string? median)
    {
        Assert.Equal(median, MedianWorkingDays.Of(buckets)?.ToString());
        Assert.Equal(median == "6 or more", MedianWorkingDays.Of(buckets)?.OrMore ?? false);
    }

    [Property(MaxTest = 300)]
    public Property The_median_has_at_least_half_on_or_below_it_and_at_least_half_on_or_above_it() =>
        Prop.ForAll(Gen.ArrayOf(Gen.Choose(0, 9), 7).Select(a => a.Select(x => (long)x).ToArray()).ToArbitrary(), buckets =>
        {
            var total = buckets.Sum();
            var median = MedianWorkingDays.Of(buckets);
            return total == 0 ? median is null
                : median is { Days: var m } && buckets.Take(m + 1).Sum() * 2 >= total && buckets.Skip(m).Sum() * 2 >= total;
        });

    [Fact]
    public void A_months_median_is_in_the_json_and_the_terminal_and_hidden_when_a_bucket_is()
    {
        static TallyReport Report(long open) => new(new MonthRange(October, October), TallyCategories.For(Services),
            new Dictionary<Month, IReadOnlyDictionary<string, long>> { [October] = new Dictionary<string, long> { ["InformedAfterWorkingDays.0"] = 6, ["InformedAfterWorkingDays.1"] = 5, ["InformedAfterWorkingDays.6+"] = open } });

        using var json = System.Text.Json.JsonDocument.Parse(Report(20).ToJson());
        Assert.Equal("6 or more", json.RootElement.GetProperty("months")[0].GetProperty(TallyReport.MedianKey).GetString());
        Assert.Equal("6 or more", json.RootElement.GetProperty(TallyReport.TotalMedianKey).GetString());
        Assert.Matches(@"Median working days to inform.*\nMonth +Median\n2026-10 +6 or more\ntotal +6 or more\n", Report(20).ToText());

        Assert.Equal((1, false), (Report(2).MedianOf(October).Value?.Days, Report(2).MedianOf(October).Hidden));
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(Report(2).ToJson()).RootElement.GetProperty("months")[0].GetProperty(TallyReport.MedianKey).GetInt32());
        Assert.True(Report(2).Publish(5, null).MedianOf(October).Hidden);
        Assert.Equal("[c]", Report(2).Publish(5, null).ShowMedian(null));
        Assert.Equal("–", new TallyReport(new MonthRange(October, October), TallyCategories.For(Services), new Dictionary<Month, IReadOnlyDictionary<string, long>> { [October] = new Dictionary<string, long>() }).ShowMedian(October));
    }

    [Fact]
    public void The_buckets_and_the_within_figures_are_listed_with_their_sums_and_compliance_shares()
    {
        var categories = TallyCategories.For(Services);
        var keys = categories.Select(c => c.Key).ToList();

        Assert.Equal(["InformedAfterWorkingDays.0", "InformedAfterWorkingDays.1", "InformedAfterWorkingDays.2", "InformedAfterWorkingDays.3", "InformedAfterWorkingDays.4", "InformedAfterWorkingDays.5", "InformedAfterWorkingDays.6+"], TallyCategories.InformedAfter);
        Assert.All(TallyCategories.InformedAfter, k => Assert.Equal(TallyGroups.TimeToInform, categories.Single(c => c.Key == k).Group));
        Assert.Equal(keys.IndexOf(TallyCategories.InformedWithinTwoWorkingDays) - 1, keys.IndexOf(TallyCategories.InformedWithinOneWorkingDay));
        Assert.Contains(TallyCategories.Sums(categories), s => s.Total == TallyCategories.InformedWithinOneWorkingDay && s.Parts.SequenceEqual(TallyCategories.InformedAfter.Take(2)));
        Assert.Contains(TallyCategories.Sums(categories), s => s.Total == TallyCategories.InformedWithinTwoWorkingDays && s.Parts.SequenceEqual([TallyCategories.InformedWithinOneWorkingDay, TallyCategories.InformedAfter[2]]));
        Assert.Contains(TallyCategories.Sums(categories), s => s.Total == TallyCategories.InformedInWriting && s.Parts.SequenceEqual([TallyCategories.InformedWithinTwoWorkingDays, .. TallyCategories.InformedAfter.Skip(3)]));
        var measures = ComplianceView.Measures(categories);
        Assert.Equal(TallyCategories.InformedAfter.Take(2), measures.Single(m => m.Key == "InformedWithin1WorkingDay").Rate!.Numerator);
        Assert.Equal(TallyCategories.InformedAfter, measures.Single(m => m.Key == "InformedWithin2WorkingDays").Rate!.Denominator);
    }
}
