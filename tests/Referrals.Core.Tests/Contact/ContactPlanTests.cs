using Referrals.Contact;
using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Contact;

/// <summary>Rulebook 1.1 section 6, row by row, and section 9's HoldContact: the plan a decision carries.</summary>
public class ContactPlanTests
{
    private static readonly PostalAddress Address = PostalAddress.Create(["12 Example Street", "Matlock"], "de4 3ag");

    private static Victim Reachable(bool? emailSafe = true, bool? phoneSafe = true, bool? addressSafe = true, string? email = "victim@example.org", string? phone = "07700 900123", PostalAddress? address = null) =>
        Victim(email: email, emailSafe: emailSafe) with { Phone = phone, PhoneSafe = phoneSafe, Address = address ?? Address, AddressSafe = addressSafe };

    private static readonly ParentOrGuardian Parent = new("Jo Taylor", "parent@example.org", true, false, "07700 900456", true, Address, true);

    private static ContactPlan Plan(string code, Victim victim, string[]? flags = null) => Decide(code, flags, victim).Contact;

    private static MessageReason?[] Reasons(ContactPlan plan) => [.. plan.Lines.Select(l => l.Reason)];

    [Fact]
    public void The_channels_are_email_then_text_message_then_letter_and_the_first_safe_one_is_used()
    {
        var plan = Plan("28E", Reachable());
        Assert.Equal([Channel.Email, Channel.Sms, Channel.Letter], plan.Lines.Select(l => l.Channel));
        Assert.Equal(Channel.Email, plan.First);
        Assert.Equal(EmailRecipient.Victim, plan.Recipient);
        Assert.False(plan.ContactNeeded);
    }

    [Fact]
    public void Email_not_safe_goes_by_text_message_to_the_normalised_mobile()
    {
        var plan = Plan("28E", Reachable(emailSafe: false));
        Assert.Equal(Channel.Sms, plan.First);
        Assert.Equal("+447700900123", plan[Channel.Sms].To);
    }

    [Fact]
    public void Email_and_text_not_safe_goes_by_letter_to_the_address()
    {
        var plan = Plan("28E", Reachable(emailSafe: false, phone: null));
        Assert.Equal(Channel.Letter, plan.First);
        Assert.Equal(Address, plan[Channel.Letter].Post);
        Assert.Equal("Sam Taylor", plan.Addressee);
    }

    [Fact]
    public void No_safe_channel_asks_the_Victim_Care_Unit_to_make_contact()
    {
        var plan = Plan("28E", Victim(email: null) with { Phone = "01629 123456", Address = PostalAddress.Create(["1 Street"], "NOT A CODE") });
        Assert.Equal([MessageReason.NoEmailAddress, MessageReason.NoMobileNumber, MessageReason.NoPostalAddress], Reasons(plan));
        Assert.Null(plan.First);
        Assert.True(plan.ContactNeeded);
        Assert.Equal("no safe channel: the Victim Care Unit is asked to make contact (ContactNeeded)", plan.Reasons[^1]);
    }

    [Fact]
    public void A_child_with_no_parent_or_guardian_has_no_safe_recipient_on_any_channel()
    {
        var plan = Plan("28E", Reachable() with { DateOfBirth = ChildBirthDate });
        Assert.All(plan.Lines, l => Assert.Equal(MessageReason.NoSafeRecipient, l.Reason));
        Assert.True(plan.ContactNeeded);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(null)]
    public void A_child_whose_parent_is_or_may_be_a_suspect_has_no_safe_recipient(bool? isSuspect)
    {
        var plan = Plan("28E", Reachable() with { DateOfBirth = ChildBirthDate, ParentOrGuardian = Parent with { IsSuspect = isSuspect } });
        Assert.All(plan.Lines, l => Assert.Equal(MessageReason.NoSafeRecipient, l.Reason));
    }

    [Fact]
    public void A_child_is_reached_through_the_parent_on_the_parents_own_channels()
    {
        var plan = Plan("28E", Victim(email: null) with { DateOfBirth = ChildBirthDate, ParentOrGuardian = Parent with { Email = null } });
        Assert.Equal(EmailRecipient.ParentOrGuardian, plan.Recipient);
        Assert.Equal(Channel.Sms, plan.First);
        Assert.Equal("+447700900456", plan[Channel.Sms].To);
        Assert.Equal("Jo Taylor", plan.Addressee);
        Assert.Equal("text message to the parent or guardian", plan[Channel.Sms].Because);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("4.1")]
    [InlineData("4.2")]
    [InlineData("4.10")]
    public void A_bereaved_relative_after_a_homicide_gets_nothing_automated_and_no_task(string code)
    {
        var plan = Plan(code, Reachable() with { BereavedRelative = true });
        Assert.All(plan.Lines, l => Assert.Equal(MessageReason.FamilyLiaison, l.Reason));
        Assert.Null(plan.First);
        Assert.False(plan.ContactNeeded);
    }

    [Theory]
    [InlineData("28E")]
    [InlineData("19C")]
    public void A_channel_flagged_unsafe_is_unsafe_on_either_pathway(string code)
    {
        var plan = Plan(code, Reachable(emailSafe: false, phoneSafe: false, addressSafe: false));
        Assert.Equal([MessageReason.UnsafeToContact, MessageReason.UnsafeToContact, MessageReason.UnsafeToContact], Reasons(plan));
        Assert.Equal("no text message (UnsafeToContact): victim's mobile number is recorded as not safe to use", plan[Channel.Sms].Because);
    }

    [Theory]
    [InlineData("19C", null)]
    [InlineData("8Q", null)]
    [InlineData("8L", null)]
    [InlineData("28E", "DomesticAbuse")]
    public void A_channel_not_confirmed_safe_is_not_used_on_the_consent_pathway_or_for_stalking_and_harassment(string code, string? flag)
    {
        var plan = Plan(code, Reachable(emailSafe: null, phoneSafe: null, addressSafe: true), flag is null ? null : [flag]);
        Assert.Equal([MessageReason.NotConfirmedSafe, MessageReason.NotConfirmedSafe, null], Reasons(plan));
        Assert.Equal(Channel.Letter, plan.First);
    }

    [Fact]
    public void An_opt_out_victim_whose_flags_are_not_recorded_is_contacted()
    {
        var plan = Plan("28E", Reachable(emailSafe: null, phoneSafe: null, addressSafe: null));
        Assert.Equal([null, null, null], Reasons(plan));
    }

    [Theory]
    [InlineData("01629 123456", "it is a landline or another number that is not a mobile")]
    [InlineData("07000 123456", "it is a 070 personal number, which forwards texts elsewhere")]
    [InlineData("07600 123456", "it is not a number in use (a 076 pager is not texted either)")]
    [InlineData("0772345678", "it is not a number in use (a 076 pager is not texted either)")]
    [InlineData("+33 1 22 33 44 55", "it is not a UK number")]
    [InlineData("07700 900123 (mobile)", "it has a character other than digits, spaces, brackets, hyphens and +")]
    public void A_phone_Notify_would_refuse_or_a_070_number_cannot_get_a_text_message_and_the_reason_names_the_rule(string phone, string rule)
    {
        var plan = Plan("28E", Reachable(emailSafe: false, phone: phone));
        var line = plan[Channel.Sms];
        Assert.Equal(MessageReason.NoMobileNumber, line.Reason);
        Assert.Equal($"no text message (NoMobileNumber): victim's phone number cannot get a text message through GOV.UK Notify: {rule}", line.Because);
        Assert.Contains(line.Because, plan.Reasons);
        Assert.DoesNotContain(phone, string.Join("\n", plan.Reasons), StringComparison.Ordinal);
        Assert.Equal(Channel.Letter, plan.First); // falls through to the next channel up front
    }

    [Fact]
    public void An_address_Notify_would_refuse_falls_through_to_the_Victim_Care_Unit_and_names_the_rule()
    {
        var plan = Plan("28E", Reachable(emailSafe: false, phone: "07700 900123 x", address: PostalAddress.Create(["NFA", "Matlock"], "DE4 3AG")));
        Assert.Equal(MessageReason.NoPostalAddress, plan[Channel.Letter].Reason);
        Assert.Contains("GOV.UK Notify would not print it: it says no fixed abode", plan[Channel.Letter].Because, StringComparison.Ordinal);
        Assert.DoesNotContain("Matlock", plan[Channel.Letter].Because, StringComparison.Ordinal);
        Assert.True(plan.ContactNeeded);
    }

    [Fact]
    public void A_BFPO_address_gets_a_letter()
    {
        var plan = Plan("28E", Reachable(emailSafe: false, phone: null, address: PostalAddress.Create(["1 Regiment"], "BFPO 105")));
        Assert.Equal(Channel.Letter, plan.First);
        Assert.Equal("BFPO 105", plan[Channel.Letter].Post!.Postcode);
    }

    [Fact]
    public void A_malformed_address_is_treated_as_absent_with_its_rule_and_never_its_value()
    {
        var line = Plan("28E", Reachable(address: PostalAddress.Create(["SECRET-LINE"], "ZZ1")))[Channel.Letter];
        Assert.Equal(MessageReason.NoPostalAddress, line.Reason);
        Assert.DoesNotContain("SECRET", line.Because, StringComparison.Ordinal);
        Assert.Contains("postcode", line.Because, StringComparison.Ordinal);
    }

    [Fact]
    public void The_email_line_is_the_v1_email_decision()
    {
        var decision = Decide("28E", victim: Reachable(emailSafe: false));
        Assert.Equal(MessageReason.UnsafeToContact, decision.Email.Reason);
        Assert.Equal(MessageReason.UnsafeToContact, decision.Contact[Channel.Email].Reason);
        Assert.True(Decide("28E", victim: Reachable()).Email.Send);
    }

    [Fact]
    public void A_held_crime_is_decided_with_the_HoldContact_reason_and_the_same_plan()
    {
        var held = Decide("28E", ["HoldContact"], Reachable());
        var free = Decide("28E", [], Reachable());
        Assert.True(held.Held);
        Assert.False(free.Held);
        Assert.Contains(held.Reasons, r => r.StartsWith("HoldContact flag", StringComparison.Ordinal));
        Assert.Equal(free.Contact.Lines, held.Contact.Lines);
        Assert.Equal(free.Referral, held.Referral);
        Assert.Equal(free.ReferralDueBy, held.ReferralDueBy);
    }

    [Theory]
    [InlineData("07700 900123", "+447700900123")]
    [InlineData("+447700900123", "+447700900123")]
    [InlineData("+44 7700 900123", "+447700900123")]
    [InlineData("00447700900123", "+447700900123")]
    [InlineData("447700900123", "+447700900123")]
    [InlineData(" 07624 123456 ", "+447624123456")]
    [InlineData("07700-900123", "+447700900123")]
    [InlineData("+4407700900123", "+447700900123")]
    [InlineData("07700 900123\u200b", "+447700900123")]
    public void A_UK_mobile_is_normalised_to_plus_44_7(string given, string normalised)
    {
        Assert.True(UkMobile.TryNormalise(given, out var mobile));
        Assert.Equal(normalised, mobile);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("077009001234")]
    [InlineData("07044 123456")]
    [InlineData("０７７００９００１２３")]
    public void Anything_else_is_not_a_UK_mobile(string? given) => Assert.False(UkMobile.IsValid(given));
}
