using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>Rulebook section 6: the recipient, and the suppression reasons in their order.</summary>
public class EmailDecisionTests
{
    private static readonly ParentOrGuardian SafeParent = new("Jo Taylor", "parent@example.org", true, false);

    [Fact]
    public void Adult_victim_with_a_safe_address_is_emailed()
    {
        var email = Decide("28E", victim: Victim(emailSafe: null)).Email;
        Assert.Equal(EmailDecision.SendTo(EmailRecipient.Victim, "victim@example.org"), email);
    }

    [Fact]
    public void Child_victim_is_emailed_through_their_parent_or_guardian()
    {
        var email = Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate, parent: SafeParent)).Email;
        Assert.Equal(EmailRecipient.ParentOrGuardian, email.Recipient);
        Assert.Equal("parent@example.org", email.Address);
    }

    [Fact]
    public void Child_victim_without_a_parent_or_guardian_gets_no_email() =>
        Assert.Equal(MessageReason.NoSafeRecipient, Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate)).Email.Reason);

    [Fact]
    public void Child_victim_whose_parent_is_a_suspect_gets_no_email() =>
        Assert.Equal(MessageReason.NoSafeRecipient,
            Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { IsSuspect = true })).Email.Reason);

    [Fact]
    public void Child_victim_whose_parent_is_not_recorded_as_not_a_suspect_gets_no_email() =>
        Assert.Equal(MessageReason.NoSafeRecipient,
            Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { IsSuspect = null })).Email.Reason);

    [Fact]
    public void NoSafeRecipient_wins_over_every_other_reason() =>
        Assert.Equal(MessageReason.NoSafeRecipient,
            Decide("19C", victim: Victim(dateOfBirth: ChildBirthDate, email: null, emailSafe: false, parent: SafeParent with { IsSuspect = true, Email = null, EmailSafe = false })).Email.Reason);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("victim@example.org\r\nBcc: abuser@example.org")]
    [InlineData("Sam <victim@example.org>")]
    [InlineData("a@b.org, c@d.org")]
    [InlineData("victim@localhost")]
    public void Missing_or_invalid_address_gives_NoEmailAddress(string? address) =>
        Assert.Equal(MessageReason.NoEmailAddress, Decide("28E", victim: Victim(email: address, emailSafe: true)).Email.Reason);

    [Fact]
    public void Parent_without_a_valid_address_gives_NoEmailAddress() =>
        Assert.Equal(MessageReason.NoEmailAddress,
            Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { Email = "nope" })).Email.Reason);

    [Fact]
    public void NoEmailAddress_wins_over_UnsafeToContact() =>
        Assert.Equal(MessageReason.NoEmailAddress, Decide("28E", victim: Victim(email: null, emailSafe: false)).Email.Reason);

    [Theory]
    [InlineData("28E", null)]
    [InlineData("19C", null)]
    [InlineData("8N", "DomesticAbuse")]
    public void Address_recorded_unsafe_gives_UnsafeToContact_on_either_pathway(string code, string? flag) =>
        Assert.Equal(MessageReason.UnsafeToContact,
            Decide(code, flag is null ? null : [flag], Victim(emailSafe: false)).Email.Reason);

    [Fact]
    public void Parent_address_recorded_unsafe_gives_UnsafeToContact() =>
        Assert.Equal(MessageReason.UnsafeToContact,
            Decide("28E", victim: Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { EmailSafe = false })).Email.Reason);

    [Fact]
    public void Domestic_abuse_victim_whose_address_is_not_confirmed_safe_gets_no_email() =>
        Assert.Equal(MessageReason.NotConfirmedSafe, Decide("8N", ["DomesticAbuse"], Victim(emailSafe: null)).Email.Reason);

    [Fact]
    public void Consent_pathway_victim_with_confirmed_safe_address_is_emailed() =>
        Assert.True(Decide("8N", ["DomesticAbuse"], Victim(emailSafe: true)).Email.Send);

    [Fact]
    public void Opt_out_victim_whose_safety_is_unknown_is_emailed() =>
        Assert.True(Decide("28E", victim: Victim(emailSafe: null)).Email.Send);

    [Fact]
    public void A_suppressed_email_has_no_recipient_and_no_address()
    {
        var email = Decide("8N", ["DomesticAbuse"], Victim(emailSafe: null)).Email;
        Assert.False(email.Send);
        Assert.Null(email.Recipient);
        Assert.Null(email.Address);
    }

    [Fact]
    public void The_address_is_trimmed() =>
        Assert.Equal("victim@example.org", Decide("28E", victim: Victim(email: "  victim@example.org ")).Email.Address);

    [Theory]
    [InlineData("8Q")] // stalking
    [InlineData("8L")] // harassment
    [InlineData("8M")]
    [InlineData("8R")]
    public void Stalking_or_harassment_victim_whose_address_is_not_confirmed_safe_gets_no_email(string code)
    {
        var decision = Decide(code, victim: Victim(emailSafe: null));

        Assert.Equal(Pathway.OptOut, decision.Pathway);
        Assert.Equal(MessageReason.NotConfirmedSafe, decision.Email.Reason);
    }

    [Fact]
    public void Stalking_victim_with_a_confirmed_safe_address_is_emailed() =>
        Assert.True(Decide("8Q", victim: Victim(emailSafe: true)).Email.Send);

    [Fact]
    public void Stalked_childs_parent_must_have_confirmed_their_address_safe() =>
        Assert.Equal(MessageReason.NotConfirmedSafe,
            Decide("8Q", victim: Victim(dateOfBirth: ChildBirthDate, parent: SafeParent with { EmailSafe = null })).Email.Reason);

    [Fact]
    public void Stalking_victim_whose_address_is_recorded_unsafe_gets_UnsafeToContact() =>
        Assert.Equal(MessageReason.UnsafeToContact, Decide("8Q", victim: Victim(emailSafe: false)).Email.Reason);

    [Theory]
    [InlineData("1")]
    [InlineData("4.1")]
    [InlineData("4/2")]
    [InlineData("4.10")]
    public void Bereaved_relative_after_a_homicide_gets_no_automated_email_FamilyLiaison(string code)
    {
        var decision = Decide(code, victim: Victim(bereavedRelative: true, emailSafe: true));

        Assert.False(decision.Email.Send);
        Assert.Equal(MessageReason.FamilyLiaison, decision.Email.Reason);
        Assert.Contains(decision.Reasons, r => r.StartsWith("no entitlement email (FamilyLiaison)", StringComparison.Ordinal));
    }

    [Fact]
    public void FamilyLiaison_wins_over_every_other_reason() =>
        Assert.Equal(MessageReason.FamilyLiaison,
            Decide("1", victim: Victim(bereavedRelative: true, dateOfBirth: ChildBirthDate, email: null, emailSafe: false)).Email.Reason);

    [Fact]
    public void Bereaved_relative_after_a_death_on_the_road_is_still_emailed_when_safe() =>
        Assert.True(Decide("4.4", victim: Victim(bereavedRelative: true, emailSafe: true)).Email.Send);

    [Fact]
    public void A_victim_of_a_homicide_attempt_who_is_not_bereaved_is_not_FamilyLiaison() =>
        Assert.NotEqual(MessageReason.FamilyLiaison, Decide("1", victim: Victim(bereavedRelative: false)).Email.Reason);
}
