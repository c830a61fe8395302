using Azure.Data.Tables;
using Referrals.Contact;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Rows and work items written before the messages were typed (main at 02477d7, issue 18 merged) read back as the same
/// state, and are written again as they were: the reasons stored as text become a reason and its words, never lost.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class StoredRowsTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Sent = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    /// <summary>What the email step, the Notify step, the receipts and erasure wrote as a reason, and what it reads back as.</summary>
    public static TheoryData<MessageStatus, string?, MessageReason?, string?> StoredReasons => new()
    {
        { MessageStatus.Sent, null, null, null },
        { MessageStatus.Suppressed, "UnsafeToContact", MessageReason.UnsafeToContact, null },
        { MessageStatus.Suppressed, "NotConfirmedSafe", MessageReason.NotConfirmedSafe, null },
        { MessageStatus.Suppressed, "AnotherChannel", MessageReason.AnotherChannel, null },
        { MessageStatus.NotNeeded, "AnotherChannel", MessageReason.AnotherChannel, null },
        { MessageStatus.Suppressed, "NoMobileNumber", MessageReason.NoMobileNumber, null },
        { MessageStatus.Suppressed, "NotInLatestSnapshot", MessageReason.NotInLatestSnapshot, null },
        { MessageStatus.Suppressed, "Erased", MessageReason.Erased, null },
        { MessageStatus.Failed, "SendGrid refused the email: 400 BadRequest: {\"errors\":[]}", MessageReason.Refused, "SendGrid refused the email: 400 BadRequest: {\"errors\":[]}" },
        { MessageStatus.Failed, "Notify refused the message: 400 ValidationError: (the answer is not kept)", MessageReason.Refused, "Notify refused the message: 400 ValidationError: (the answer is not kept)" },
        { MessageStatus.Failed, "SendGrid answered with a redirect (302); redirects are not followed, so nothing was sent elsewhere", MessageReason.Refused, "SendGrid answered with a redirect (302); redirects are not followed, so nothing was sent elsewhere" },
        { MessageStatus.Failed, "retries exhausted after 5 deliveries: SendGrid answered 429 TooManyRequests", MessageReason.RetriesExhausted, "retries exhausted after 5 deliveries: SendGrid answered 429 TooManyRequests" },
        { MessageStatus.Failed, "the provider reported a bounce or a drop", MessageReason.ReportedFailed, "the provider reported a bounce or a drop" },
        { MessageStatus.Failed, "the provider reported a permanent failure", MessageReason.ReportedFailed, "the provider reported a permanent failure" },
        { MessageStatus.Queued, "Notify reported a technical failure (not sent): sent again, send 2 of at most 3", MessageReason.TechnicalFailure, "Notify reported a technical failure (not sent): sent again, send 2 of at most 3" },
        { MessageStatus.Sending, "Notify reported a technical failure (not sent): sent again, send 2 of at most 3", MessageReason.TechnicalFailure, "Notify reported a technical failure (not sent): sent again, send 2 of at most 3" },
        { MessageStatus.Failed, "Notify reported a technical failure: a letter is never sent again (Notify: do not try to send the letter again), so the letter channel has failed for good", MessageReason.TechnicalFailure, "Notify reported a technical failure: a letter is never sent again (Notify: do not try to send the letter again), so the letter channel has failed for good" },
        { MessageStatus.Unconfirmed, "Notify answered 502, so it may have accepted the message: check GOV.UK Notify for this message (GET /v2/notifications?reference=rf1.x.s1); it is never sent again automatically, and replay refuses it", MessageReason.OutcomeUnknown, "Notify answered 502, so it may have accepted the message: check GOV.UK Notify for this message (GET /v2/notifications?reference=rf1.x.s1); it is never sent again automatically, and replay refuses it" },
    };

    [Theory]
    [MemberData(nameof(StoredReasons))]
    public void A_stored_reason_reads_back_as_its_reason_and_words_and_is_stored_again_as_it_was(MessageStatus status, string? stored, MessageReason? reason, string? detail)
    {
        var (read, words) = VictimRow.ReasonOf(status, stored);

        Assert.Equal((reason, detail), (read, words));
        Assert.Equal(stored, new MessageState(status, read, words).ReasonText);
    }

    [Fact]
    public async Task A_victims_row_written_before_the_messages_were_typed_reads_back_and_is_written_again_as_it_was()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient($"Rows{Guid.NewGuid():N}"[..20]);
        await table.CreateAsync();
        var partition = VictimStateStore.PartitionKeyFor("DB/26/000114");
        var rowKey = VictimStateStore.RowKeyFor("DB/26/000114", "V1");
        const string Sms = """{"Reason":"Notify reported a technical failure (not sent): sent again, send 2 of at most 3","Recipient":"Victim","QueuedAt":"2026-10-05T10:00:00+00:00","AttemptedAt":"2026-10-05T10:01:00+00:00","SentAt":"2026-10-05T10:01:00+00:00","DeliveredAt":null,"NotificationId":"740e5834-3a29-46b4-9a6f-16142fde533a","Month":"2026-10","Attempts":1}""";
        const string Letter = """{"Reason":"AnotherChannel","Recipient":null,"QueuedAt":null,"AttemptedAt":null,"SentAt":null,"DeliveredAt":null,"NotificationId":null,"Month":null,"Attempts":0}""";
        const string Plan = """[{"Channel":"Email","Reason":null,"Safe":true},{"Channel":"Sms","Reason":null,"Safe":true},{"Channel":"Letter","Reason":null,"Safe":true}]""";

        // The columns as main wrote them (Azure.Data.Tables stores an enum by name): no EmailAttempts column yet.
        await table.AddEntityAsync(new TableEntity(partition, rowKey)
        {
            ["CrimeReference"] = "DB/26/000114",
            ["VictimId"] = "V1",
            ["FirstSeenVersion"] = 1L,
            ["Version"] = 1L,
            ["Pathway"] = "OptOut",
            ["Referral"] = "AutoReferred",
            ["ReferralStatus"] = "AutoReferred",
            ["ReferredServices"] = """["general"]""",
            ["EligibleServices"] = """["general"]""",
            ["SingleSessionOffer"] = false,
            ["EnhancedRights"] = false,
            ["Child"] = false,
            ["ReferralDueBy"] = "2026-10-07",
            ["RecordedOn"] = "2026-10-05",
            ["EmailStatus"] = "Failed",
            ["EmailReason"] = "the provider reported a bounce or a drop",
            ["EmailRecipient"] = "Victim",
            ["EmailQueuedAt"] = Sent,
            ["EmailAttemptedAt"] = Sent,
            ["EmailSentAt"] = Sent,
            ["EmailMessageId"] = "sg-1",
            ["EmailMonth"] = "2026-10",
            ["ContactPlan"] = Plan,
            ["ContactRecipient"] = "Victim",
            ["Held"] = false,
            ["SmsStatus"] = "Queued",
            ["Sms"] = Sms,
            ["LetterStatus"] = "NotNeeded",
            ["Letter"] = Letter,
            ["VcuTasks"] = "[]",
            ["Counted"] = """{"TotalVictims":"2026-10","MessageFailed.Email":"2026-10"}""",
            ["UpdatedAt"] = Sent,
            ["SnapshotSource"] = "CrimeRow",
        });

        var row = (await table.GetEntityAsync<VictimStateEntity>(partition, rowKey)).Value;
        var state = row.ToStored().State;

        Assert.Equal(new MessageState(MessageStatus.Failed, MessageReason.ReportedFailed, "the provider reported a bounce or a drop", Rules.EmailRecipient.Victim,
            Sent, Sent, Sent, null, "sg-1", new Month(2026, 10), 0), state.Contact.Email);
        Assert.Equal(new MessageState(MessageStatus.Queued, MessageReason.TechnicalFailure, "Notify reported a technical failure (not sent): sent again, send 2 of at most 3",
            Rules.EmailRecipient.Victim, Sent, Sent.AddMinutes(1), Sent.AddMinutes(1), null, "740e5834-3a29-46b4-9a6f-16142fde533a", new Month(2026, 10), 1), state.Contact.Sms);
        Assert.Equal(new MessageState(MessageStatus.NotNeeded, MessageReason.AnotherChannel), state.Contact.Letter);
        Assert.Equal([Channel.Email, Channel.Sms, Channel.Letter], state.Contact.Plan.Where(l => l.Safe).Select(l => l.Channel));
        Assert.Equal([Channel.Sms], WorkPlan.Messages(state));

        var again = state.ToRow(row.ETag, row.ToStored().Copy);
        Assert.Equal(("Failed", "the provider reported a bounce or a drop", "sg-1"), (again.EmailStatus.ToString(), again.EmailReason, again.EmailMessageId));
        Assert.Equal((MessageStatus.Queued, Sms, MessageStatus.NotNeeded, Letter, Plan), (again.SmsStatus, again.Sms, again.LetterStatus, again.Letter, again.ContactPlan));
    }

    [Theory]
    [InlineData("""{"crimeReference":"DB/26/000101","victimId":"V1","version":1,"id":"email:DB/26/000101:V1"}""", Channel.Email)]
    [InlineData("""{"crimeReference":"DB/26/000101","victimId":"V1","version":1,"channel":"Sms","id":"sms:DB/26/000101:V1"}""", Channel.Sms)]
    [InlineData("""{"crimeReference":"DB/26/000101","victimId":"V1","version":1,"channel":"Letter","id":"letter:DB/26/000101:V1"}""", Channel.Letter)]
    public void A_work_item_of_the_entitlement_emails_queue_reads_as_a_message_work_item_and_is_written_the_same(string json, Channel channel)
    {
        var item = MessageWorkItem.TryParse(System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal(new MessageWorkItem("DB/26/000101", "V1", 1, channel), item);
        Assert.Equal(json, item!.ToJson());
    }
}
