using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>The bundled samples (samples/crime-events.jsonl), one expectation per line, decided one snapshot at a time.</summary>
public class SampleSnapshotTests
{
    private static readonly string[] Lines = File.ReadAllLines(SamplesPath);

    public static TheoryData<int, string, string, string, string, string?> Expected => new()
    {
        // line, victim, pathway, referral, services, email reason (null = sent)
        { 1, "V1", "OptOut", "AutoReferred", "general", null },
        { 2, "V1", "Consent", "Referred", "general,idva", null },
        { 3, "V1", "Consent", "Declined", "", "NotConfirmedSafe" },
        { 4, "V1", "OptOut", "OptedOut", "", null },
        { 5, "V1", "OptOut", "AutoReferred", "general", null },
        { 6, "V1", "OptOut", "AutoReferred", "general", null },
        { 7, "V1", "Consent", "AwaitingConsent", "", null },
        { 8, "V1", "Consent", "AwaitingConsent", "", "NotConfirmedSafe" },
        { 9, "V1", "OptOut", "AutoReferred", "general", null },
        { 10, "V1", "OptOut", "AutoReferred", "general", null },
        { 10, "V2", "OptOut", "OptedOut", "", "NoEmailAddress" },
        { 10, "V3", "OptOut", "AutoReferred", "general", "UnsafeToContact" },
        { 11, "V1", "Consent", "Referred", "general,isva", null },
        { 12, "V1", "OptOut", "AutoReferred", "general", null },
        { 16, "V1", "OptOut", "OptedOut", "", null },
        { 17, "V1", "OptOut", "AutoReferred", "general", "NoEmailAddress" },
        { 18, "V1", "OptOut", "AutoReferred", "general", "NoEmailAddress" },
        { 19, "V1", "Consent", "Referred", "general,idva", "NotConfirmedSafe" },
        { 20, "V1", "OptOut", "AutoReferred", "general", null },
        { 21, "V1", "OptOut", "AutoReferred", "general", null },
        { 22, "V1", "OptOut", "AutoReferred", "general", null },
        { 23, "V1", "OptOut", "AutoReferred", "general", "NoEmailAddress" },
        { 24, "V1", "OptOut", "AutoReferred", "general", "NoEmailAddress" },
        { 25, "V1", "OptOut", "AutoReferred", "general", null },
        { 26, "V1", "OptOut", "AutoReferred", "general", "NoEmailAddress" },
    };

    /// <summary>Rulebook 1.1: the samples added for the contact plan, each showing one path.</summary>
    [Theory]
    [InlineData(17, "Sms", false, false)]
    [InlineData(18, "Letter", false, false)]
    [InlineData(19, null, true, false)]
    [InlineData(20, "Email", false, false)]
    [InlineData(21, "Email", false, true)]
    [InlineData(22, "Email", false, false)]
    [InlineData(23, "Sms", false, false)]
    [InlineData(24, "Letter", false, false)]
    [InlineData(25, "Email", false, false)] // issue 22: delivered, then an asynchronous bounce; the text message follows
    [InlineData(26, "Letter", false, false)] // issue 22: received, then returned on a local run; a ContactNeeded task follows
    public void Contact_sample_gets_the_expected_plan(int line, string? channel, bool contactNeeded, bool held)
    {
        var decision = Rulebook.Decide(CrimeEventParser.Parse(Lines[line - 1]).Snapshot!).Single();

        Assert.Equal((channel, contactNeeded, held), (decision.Contact.First?.ToString(), decision.Contact.ContactNeeded, decision.Held));
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Sample_snapshot_gets_the_expected_decision(int line, string victimId, string pathway, string referral, string services, string? emailReason)
    {
        var snapshot = CrimeEventParser.Parse(Lines[line - 1]).Snapshot!;
        var decision = Rulebook.Decide(snapshot).Single(d => d.VictimId == victimId);

        Assert.Equal(pathway, decision.Pathway.ToString());
        Assert.Equal(referral, decision.Referral.ToString());
        Assert.Equal(services, string.Join(',', decision.Services));
        Assert.Equal(emailReason, decision.Email.Reason?.ToString());
        Assert.Equal(new DateOnly(2026, 10, 7), decision.ReferralDueBy);
    }

    /// <summary>Issue 18: the samples' texts go to numbers in the drama range, none of them Notify's smoke-test numbers.</summary>
    [Fact]
    public void The_samples_text_no_smoke_test_number_and_fall_through_past_a_070_number_to_a_BFPO_address()
    {
        var texted = Lines.Select(l => CrimeEventParser.Parse(l).Snapshot).OfType<CrimeEvent>()
            .SelectMany(Rulebook.Decide).Select(d => d.Contact[Referrals.Contact.Channel.Sms]).Where(l => l.Safe).Select(l => l.To!).ToList();
        Assert.Equal(["+447700900311", "+447700900114", "+447700900002", "+447700900120"], texted);
        Assert.DoesNotContain(texted, n => n is "+447700900000" or "+447700900111" or "+447700900222");

        var bfpo = Rulebook.Decide(CrimeEventParser.Parse(Lines[23]).Snapshot!).Single().Contact;
        Assert.Equal(MessageReason.NoMobileNumber, bfpo[Referrals.Contact.Channel.Sms].Reason);
        Assert.Contains("070 personal number", bfpo[Referrals.Contact.Channel.Sms].Because, StringComparison.Ordinal);
        Assert.Equal("BFPO 105", bfpo[Referrals.Contact.Channel.Letter].Post!.Postcode);
    }

    [Fact]
    public void The_child_sample_is_emailed_through_the_parent() =>
        Assert.Equal(EmailRecipient.ParentOrGuardian, Rulebook.Decide(CrimeEventParser.Parse(Lines[5]).Snapshot!)[0].Email.Recipient);

    [Theory]
    [InlineData(13, "victims must list 1 to 50 victims, not 0")]
    [InlineData(14, "message is not valid JSON")]
    [InlineData(15, "schemaVersion is not supported")]
    public void Bad_sample_lines_are_rejected_with_their_reason(int line, string reason)
    {
        var result = CrimeEventParser.Parse(Lines[line - 1]);
        Assert.False(result.IsValid);
        Assert.StartsWith(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_sample_line_has_an_expectation() =>
        Assert.Equal(26, Lines.Length);
}
