using System.Text;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Privacy;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Privacy;

/// <summary>The audit entries of state changes: what they say, and that no personal data is ever in them.</summary>
public class AuditRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    private static (VictimChange Change, VictimDecision Decision) Change(VictimState? previous, SupportAnswer support, long version = 1)
    {
        var snapshot = Snapshot("19C", version: version, victims: Victim(support: support, email: "sam.taylor@example.org", dateOfBirth: new DateOnly(1990, 2, 3)));
        var decision = Decide(snapshot);
        return (VictimTransition.Apply(previous, decision, Now, Month.Of(Now), WorkingDays), decision);
    }

    [Fact]
    public void A_snapshot_entry_records_the_decision_the_consent_answer_and_the_rules_version()
    {
        var (change, decision) = Change(null, SupportAnswer.Accepted);

        var entry = AuditRule.OfSnapshot("evt-1", change, decision, SupportAnswer.Accepted, "referral-rules-v1.1+data-0123456789abcdef");

        Assert.Equal((AuditAction.Snapshot, "V1", "evt-1", 1L, "referral-rules-v1.1+data-0123456789abcdef"), (entry.Action, entry.VictimId, entry.EventId, entry.CrimeVersion, entry.RulesVersion));
        Assert.Contains("consent answer: Accepted", entry.Facts);
        Assert.Contains("referral status: Referred", entry.Facts);
        Assert.Contains("pathway: Consent", entry.Facts);
        Assert.Equal(decision.Reasons, entry.Reasons);
    }

    [Fact]
    public void A_change_across_snapshots_reads_old_to_new_with_history_s_reason()
    {
        var (declined, _) = Change(null, SupportAnswer.Declined);
        var (converted, decision) = Change(declined.Next, SupportAnswer.Accepted, version: 2);

        var entry = AuditRule.OfSnapshot("evt-2", converted, decision, SupportAnswer.Accepted, RulesVersion.Rulebook);

        Assert.Contains("referral status: Declined → ConvertedToYes", entry.Facts);
        Assert.Contains(entry.Reasons, r => r.Contains("ConvertedToYes", StringComparison.Ordinal));
    }

    [Fact]
    public void No_entry_holds_the_victim_s_name_email_or_date_of_birth()
    {
        var (change, decision) = Change(null, SupportAnswer.NotAsked);
        var sent = change.Next.With(Channel.Email, change.Next.Contact.Email with { Status = MessageStatus.Sent, SentAt = Now, ProviderId = "msg-1" });
        var delivery = new DeliveryState("d1", DeliveryKind.Referral, "DB/26/000001", "V1", "general", "Http", DeliveryStatus.Failed,
            "general refused the Referral: 400 BadRequest: {\"error\":\"Sam Taylor sam.taylor@example.org 1990-02-03 is a duplicate\"}", Month.Of(Now), null, 1, Now, HttpStatus: 400);

        AuditEntry[] entries =
        [
            AuditRule.OfSnapshot("evt-1", change, decision, SupportAnswer.NotAsked, RulesVersion.Rulebook),
            AuditRule.OfMessages(change.Next, sent),
            AuditRule.OfDelivery(null, delivery, Now),
        ];

        var text = string.Join("\n", entries.SelectMany(e => e.Facts.Concat(e.Reasons)));
        Assert.DoesNotContain("Sam", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Taylor", text, StringComparison.Ordinal);
        Assert.DoesNotContain("example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1990", text, StringComparison.Ordinal);
        Assert.Contains("general refused the Referral: 400 BadRequest: (the answer is not kept)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_with_no_partner_answer_is_kept_whole() =>
        Assert.Equal("SendGrid could not be reached (ConnectionError): nothing was sent", AuditRule.WithoutAnswer("SendGrid could not be reached (ConnectionError): nothing was sent"));

    [Fact]
    public void An_email_entry_records_the_change_of_status_and_when_it_was_sent()
    {
        var (change, _) = Change(null, SupportAnswer.NotAsked);
        var sent = change.Next.With(Channel.Email, change.Next.Contact.Email with { Status = MessageStatus.Sent, SentAt = Now });

        var entry = AuditRule.OfMessages(change.Next, sent);

        Assert.Equal(["email: Queued → Sent", "email sent at: 2026-10-05T10:00:00Z"], entry.Facts);
    }

    [Fact]
    public void A_text_message_or_letter_change_in_the_same_write_is_recorded_with_its_reason()
    {
        var (change, _) = Change(null, SupportAnswer.NotAsked);
        var failed = change.Next with
        {
            Contact = change.Next.Contact with
            {
                Email = change.Next.Contact.Email with { Status = MessageStatus.Failed },
                Sms = new MessageState(MessageStatus.Queued),
                Letter = new MessageState(MessageStatus.Failed, MessageReason.Refused, "Notify refused the letter: 400 ValidationError"),
            },
        };

        var entry = AuditRule.OfMessages(change.Next, failed);

        Assert.Contains(entry.Facts, f => f.StartsWith("text message: ", StringComparison.Ordinal) && f.EndsWith("→ Queued", StringComparison.Ordinal));
        Assert.Contains(entry.Facts, f => f.StartsWith("letter: ", StringComparison.Ordinal) && f.EndsWith("→ Failed", StringComparison.Ordinal));
        Assert.Contains(entry.Reasons, r => r.StartsWith("Notify refused the letter", StringComparison.Ordinal));
        var emailOnly = AuditRule.OfMessages(change.Next, change.Next.With(Channel.Email, failed.Contact.Email)).Facts;
        Assert.Contains(emailOnly, f => f.StartsWith("email: ", StringComparison.Ordinal) && f.EndsWith("→ Failed", StringComparison.Ordinal));
        Assert.DoesNotContain(emailOnly, f => f.StartsWith("text message", StringComparison.Ordinal));
    }

    [Fact]
    public void An_operator_entry_names_who_ran_it_and_why()
    {
        var entry = AuditRule.OfOperator("V1", AuditAction.Erase, Now, "j.smith", "record created in error", []);

        Assert.Equal(("j.smith", "record created in error"), (entry.Operator, Assert.Single(entry.Reasons)));
    }

    [Fact]
    public void The_rules_version_changes_when_either_data_file_changes()
    {
        var codes = Encoding.UTF8.GetBytes("code,category\n28E,Burglary\n");
        var services = Encoding.UTF8.GetBytes("{}");

        var version = RulesVersion.Of(codes, services);

        Assert.StartsWith("referral-rules-v1.1+data-", version, StringComparison.Ordinal);
        Assert.Equal(version, RulesVersion.Of(codes, services));
        Assert.NotEqual(version, RulesVersion.Of(codes, Encoding.UTF8.GetBytes("{ }")));
        Assert.NotEqual(version, RulesVersion.Of([.. codes, (byte)'\n'], services));
        // The files' boundary counts: moving a byte from one file to the other is another version.
        Assert.NotEqual(RulesVersion.Of("ab"u8, "c"u8), RulesVersion.Of("a"u8, "bc"u8));
    }
}
