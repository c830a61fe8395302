using Referrals.Receipts;

namespace Referrals.Tests.Receipts;

/// <summary>
/// Issue 22: an asynchronous bounce naming no message is matched by its recipient address only when exactly one of our
/// emails to that address awaits receipts in the window; otherwise nothing is applied.
/// </summary>
public class RecipientMatchTests
{
    private static readonly DateTimeOffset Bounced = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_email_to_the_address_delivered_in_the_window_is_the_match()
    {
        var only = new AwaitingEmail("DB/26/000301", "V1", Bounced.AddHours(-3));

        var (outcome, email, reason) = RecipientMatch.Of([only], Bounced);

        Assert.Equal((RecipientMatchOutcome.Matched, only), (outcome, email));
        Assert.Equal("exactly one email to the address awaits receipts", reason);
    }

    [Fact]
    public void Two_victims_emails_to_one_parents_address_are_ambiguous_and_match_neither()
    {
        AwaitingEmail[] siblings = [new("DB/26/000301", "V1", Bounced.AddHours(-3)), new("DB/26/000302", "V1", Bounced.AddDays(-2))];

        var (outcome, email, reason) = RecipientMatch.Of(siblings, Bounced);

        Assert.Equal(RecipientMatchOutcome.Ambiguous, outcome);
        Assert.Null(email);
        Assert.Equal("2 emails to the address await receipts in the window", reason);
    }

    [Fact]
    public void The_same_email_indexed_twice_is_still_one()
    {
        var once = new AwaitingEmail("DB/26/000301", "V1", Bounced.AddHours(-3));

        Assert.Equal((RecipientMatchOutcome.Matched, once), RecipientMatch.Of([once, once with { DeliveredAt = Bounced.AddHours(-2) }], Bounced) is var (o, e, _) ? (o, e) : default);
    }

    [Theory]
    [InlineData(-7 * 24 * 60)] // delivered a week before: out of the window
    [InlineData(-30 * 24 * 60)]
    [InlineData(6)] // delivered after the bounce, beyond the clock skew allowed
    public void An_email_delivered_outside_the_window_matches_nothing(int minutes)
    {
        var (outcome, email, reason) = RecipientMatch.Of([new AwaitingEmail("DB/26/000301", "V1", Bounced.AddMinutes(minutes))], Bounced);

        Assert.Equal(RecipientMatchOutcome.None, outcome);
        Assert.Null(email);
        Assert.Equal("no email to the address awaits receipts in the window", reason);
    }

    [Fact]
    public void An_email_outside_the_window_does_not_make_one_inside_it_ambiguous()
    {
        var recent = new AwaitingEmail("DB/26/000302", "V1", Bounced.AddMinutes(-10));
        AwaitingEmail[] emails = [new("DB/26/000301", "V1", Bounced.AddDays(-8)), recent];

        Assert.Equal((RecipientMatchOutcome.Matched, recent), RecipientMatch.Of(emails, Bounced) is var (o, e, _) ? (o, e) : default);
    }

    [Fact]
    public void No_email_to_the_address_matches_nothing() =>
        Assert.Equal(RecipientMatchOutcome.None, RecipientMatch.Of([], Bounced).Outcome);
}
