using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Contact;

/// <summary>
/// Any mix of snapshots (each channel's flag true, false or unknown; held or not), sends through the core's own rules
/// (the claim, the outcome of the provider, a send the latest snapshot no longer allows) and receipts in any order and
/// repeated: every status moves only as the rulebook allows; one message per victim per channel (plus resends of what
/// Notify says it never sent); never a later channel once an earlier one is in flight or delivered; nothing leaves a
/// held crime; and the ContactNeeded task asked for at most once.
/// </summary>
public class ContactProperties
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private static readonly Month October = new(2026, 10);
    private static readonly PostalAddress Address = PostalAddress.Create(["12 Example Street"], "DE4 3AG");

    /// <summary>What became of a send: accepted, refused, unknown (it may have gone), not accepted (tried again), or the sender stopped before recording it.</summary>
    public enum Answer
    {
        Accepted,
        Refused,
        Unknown,
        NotAccepted,
        Stopped,
    }

    private abstract record Step;

    private sealed record Snap(bool? Email, bool? Phone, bool? Post, bool Held, string Code) : Step;

    private sealed record Send(Channel Channel, Answer Answer) : Step;

    private sealed record NotSendable(Channel Channel, MessageReason Reason) : Step;

    private sealed record Receive(Channel Channel, ReceiptStatus Kind, int? Attempt) : Step;

    private static Gen<Step[]> Steps() =>
        Gen.ArrayOf(Gen.OneOf(
            from e in Gen.Elements<bool?>(true, false, null)
            from p in Gen.Elements<bool?>(true, false, null)
            from a in Gen.Elements<bool?>(true, false, null)
            from held in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from code in Gen.Elements("28E", "19C", "8Q")
            select (Step)new Snap(e, p, a, held, code),
            from c in Gen.Elements(Enum.GetValues<Channel>())
            from answer in Gen.Frequency((4, Gen.Constant(Answer.Accepted)), (1, Gen.Elements(Enum.GetValues<Answer>())))
            select (Step)new Send(c, answer),
            from c in Gen.Elements(Enum.GetValues<Channel>())
            from reason in Gen.Elements(MessageReason.UnsafeToContact, MessageReason.NoMobileNumber, MessageReason.NotInLatestSnapshot)
            select (Step)new NotSendable(c, reason),
            from c in Gen.Elements(Enum.GetValues<Channel>())
            from k in Gen.Elements(Enum.GetValues<ReceiptStatus>())
            from attempt in Gen.Elements<int?>(null, 1, 2, 3)
            select (Step)new Receive(c, k, attempt)));

    /// <param name="Sends">Sends that reached the provider or may have (accepted, unknown, or the sender stopped), by channel.</param>
    /// <param name="Claimed">Every claim made, with whether the crime was held then.</param>
    private sealed record Trace(List<VictimState> States, Dictionary<Channel, int> Sends, Dictionary<Channel, int> Resendable, List<PlannedDelivery> Planned, List<bool> ClaimedWhileHeld);

    private static Trace Run(Step[] steps)
    {
        var trace = new Trace([], Enum.GetValues<Channel>().ToDictionary(c => c, _ => 0), Enum.GetValues<Channel>().ToDictionary(c => c, _ => 0), [], []);
        VictimState? state = null;
        long version = 0;
        foreach (var step in steps.Prepend(new Snap(true, true, true, false, "28E")))
        {
            var previous = state;
            switch (step)
            {
                case Snap s:
                    var victim = Victim(emailSafe: s.Email) with { Phone = "07700 900123", PhoneSafe = s.Phone, Address = Address, AddressSafe = s.Post };
                    state = VictimTransition.Apply(state, Decide(Snapshot(s.Code, s.Held ? ["HoldContact"] : [], version: ++version, victims: victim)), Now, October, WorkingDays).Next;
                    break;
                case Send send when state is not null:
                    // A lease of zero: a claim still held when the next send comes belongs to a sender that stopped.
                    if (ClaimRule.ForMessage(state, send.Channel, Now, TimeSpan.Zero) is { Next: { } next } claim)
                    {
                        state = next;
                        if (claim.Step == ClaimStep.Send)
                        {
                            // The claim is written before the provider is called: a state of its own.
                            trace.Planned.AddRange(WorkPlan.Between(previous, state));
                            trace.States.Add(state);
                            previous = state;
                            trace.ClaimedWhileHeld.Add(HoldRule.IsHeld(state));
                            trace.Sends[send.Channel] += send.Answer is Answer.Accepted or Answer.Unknown or Answer.Stopped ? 1 : 0;
                            state = send.Answer == Answer.Stopped ? state : ContactRule.AfterSend(state, send.Channel, state.Contact[send.Channel].Attempts, Settlement(send.Answer),
                                $"{Guid.NewGuid():D}", Now, October, WorkingDays);
                        }
                    }

                    break;
                case NotSendable n when state is not null:
                    state = ContactRule.NotSendable(state, n.Channel, n.Reason, Now, October, WorkingDays);
                    break;
                case Receive r when state is not null:
                    var before = state;
                    state = ReceiptRule.Apply(state, r.Channel, r.Kind, r.Attempt, Now, Now, October, WorkingDays).Next;
                    if (r.Kind == ReceiptStatus.NotSent && ContactRule.Of(before, r.Channel) == ChannelProgress.InFlight && ContactRule.Of(state, r.Channel) == ChannelProgress.Open)
                    {
                        trace.Resendable[r.Channel]++;
                    }

                    break;
            }

            trace.Planned.AddRange(WorkPlan.Between(previous, state!));
            trace.States.Add(state!);
        }

        return trace;
    }

    private static Settlement Settlement(Answer answer) => OutcomeRule.Settle(answer switch
    {
        Answer.Accepted => new SendOutcome.Accepted($"{Guid.NewGuid():D}"),
        Answer.Refused => new SendOutcome.Permanent("refused"),
        Answer.Unknown => new SendOutcome.Unknown("no answer"),
        _ => new SendOutcome.Transient("not accepted"),
    }, 1, 5, "check");

    private static int Busy(VictimState v) => ChannelNames.InOrder.Count(c => ContactRule.Of(v, c) is ChannelProgress.InFlight or ChannelProgress.Delivered);

    [Property(MaxTest = 500)]
    public Property A_status_moves_only_along_the_transitions_the_rulebook_allows() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var states = Run(steps).States;
            var refused = states.Zip(states.Skip(1))
                .SelectMany(p => ChannelNames.InOrder.Select(c => (Channel: c, From: p.First.Contact[c].Status, To: p.Second.Contact[c].Status)))
                .Where(m => !MessageTransition.Allowed(m.From, m.To))
                .Select(m => $"{m.Channel}: {m.From} → {m.To}")
                .FirstOrDefault();
            return (refused is null).Label(refused ?? "every move allowed");
        });

    [Property(MaxTest = 300)]
    public Property A_replay_or_an_erasure_moves_a_status_only_along_the_transitions_the_rulebook_allows() =>
        Prop.ForAll(Arb.From(Steps()), steps => Run(steps).States.All(state => ChannelNames.InOrder.All(c =>
            (ReplayRule.ForMessage(state, c).Requeued is not { } requeued || MessageTransition.Allowed(state.Contact[c].Status, requeued.Contact[c].Status))
            && MessageTransition.Allowed(state.Contact[c].Status, Referrals.Privacy.RedactionRule.Erase(state, Now).Contact[c].Status))));

    [Property(MaxTest = 500)]
    public Property Nothing_leaves_a_held_crime() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var trace = Run(steps);
            return !trace.ClaimedWhileHeld.Contains(true)
                && trace.States.Where(HoldRule.IsHeld).All(s => !WorkPlan.Messages(s).Any() && !WorkPlan.All(s).Any()
                    && ChannelNames.InOrder.All(c => ClaimRule.ForMessage(s, c, Now, TimeSpan.FromMinutes(5)).Step == ClaimStep.Held));
        });

    [Property(MaxTest = 500)]
    public Property No_later_channel_is_sent_while_an_earlier_one_stands_delivered() =>
        Prop.ForAll(Arb.From(Steps()), steps => Run(steps).States.All(s =>
            ChannelNames.InOrder.Select((c, i) => (c, i)).Where(e => ContactRule.Of(s, e.c) == ChannelProgress.Delivered)
                .All(delivered => ChannelNames.InOrder.Skip(delivered.i + 1).All(later =>
                    s.Contact[later].Status is not (MessageStatus.Queued or MessageStatus.Sending or MessageStatus.Sent or MessageStatus.Unconfirmed)))));

    [Property(MaxTest = 500)]
    public Property One_message_per_victim_per_channel_except_resends_of_what_was_never_sent() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var trace = Run(steps);
            return Enum.GetValues<Channel>().All(c => trace.Sends[c] <= 1 + trace.Resendable[c]);
        });

    [Property(MaxTest = 500)]
    public Property A_text_message_is_sent_at_most_three_times_and_a_letter_or_an_email_once_whatever_the_answers_and_receipts() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var sends = Run(steps).Sends;
            return sends[Channel.Sms] <= ReceiptRule.MaxTextSends && sends[Channel.Letter] <= 1 && sends[Channel.Email] <= 1;
        });

    [Property(MaxTest = 300)]
    public Property A_Notify_receipt_of_another_type_or_another_notification_id_never_changes_the_state() =>
        Prop.ForAll(Arb.From(Steps()), Arb.From(Gen.Elements(Enum.GetValues<ReceiptStatus>())), (steps, kind) =>
        {
            var state = Run(steps).States[^1];
            return new[] { Channel.Sms, Channel.Letter }.All(channel =>
            {
                var message = state.Contact[channel];
                var otherType = new NotifyReceiptIdentity(channel, message.Attempts, channel == Channel.Sms ? Channel.Letter : Channel.Email, message.ProviderId ?? $"{Guid.NewGuid():D}");
                var otherId = otherType with { Reported = channel, NotificationId = $"{Guid.NewGuid():D}" };
                return Unchanged(otherType) && (message.ProviderId is null || Unchanged(otherId));

                bool Unchanged(NotifyReceiptIdentity receipt) =>
                    ReceiptRule.ApplyNotify(state, receipt, kind, Now, Now, October, WorkingDays) is var (next, effect, _) && ReferenceEquals(next, state) && effect != ReceiptEffect.Applied;
            });
        });

    [Property(MaxTest = 500)]
    public Property Never_two_channels_in_flight_or_delivered_so_never_a_later_one_after_a_delivery() =>
        Prop.ForAll(Arb.From(Steps()), steps => Run(steps).States.All(s => Busy(s) <= 1));

    [Property(MaxTest = 500)]
    public Property A_delivered_channel_stays_delivered_unless_an_email_bounces_or_a_letter_is_returned_after_the_fact() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var states = Run(steps).States;
            return states.Zip(states.Skip(1)).All(p => ChannelNames.InOrder.All(c =>
                ContactRule.Of(p.First, c) != ChannelProgress.Delivered || ContactRule.Of(p.Second, c) == ChannelProgress.Delivered
                || (ReceiptRule.FailsAfterDelivery(c) && p.Second.Contact[c] is { Status: MessageStatus.Failed, Reason: MessageReason.ReportedFailed }
                    && p.Second.Counted.ContainsKey(TallyCategories.InformedThenFailed(c)))));
        });

    // Rulebook 1.2 section 6: a new ContactNeeded is raised when its condition holds again after one was withdrawn, e.g.
    // when a delivered email bounces or a letter comes back (each counted once as InformedThenFailed). Seed
    // (18173054233171274139,10215473790162717635) is such a run: it failed this property before the exception was stated.
    [Property(MaxTest = 500)]
    public Property ContactNeeded_is_asked_for_at_most_once_outside_a_hold_or_a_failure_after_delivery_and_only_when_no_safe_channel_was_left() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var trace = Run(steps);
            var first = trace.States.FindIndex(s => s.VcuTasks.Contains(DeliveryKind.ContactNeeded));
            var failedAfterDelivery = ChannelNames.InOrder.Count(c => trace.States[^1].Counted.ContainsKey(TallyCategories.InformedThenFailed(c)));
            return trace.Planned.Count(p => p.Kind == DeliveryKind.ContactNeeded) <= 1 + trace.States.Count(s => s.Contact.Held) + failedAfterDelivery
                && (first < 0 || ContactRule.Target(trace.States[first]) is null);
        });

    [Fact]
    public void A_second_ContactNeeded_follows_a_delivered_email_that_bounced_after_the_first_was_withdrawn()
    {
        var trace = Run([
            new Snap(false, false, false, false, "28E"),
            new Snap(true, false, false, false, "28E"),
            new Send(Channel.Email, Answer.Accepted),
            new Receive(Channel.Email, ReceiptStatus.Delivered, null),
            new Receive(Channel.Email, ReceiptStatus.FailedForGood, null),
        ]);

        Assert.Equal(2, trace.Planned.Count(p => p.Kind == DeliveryKind.ContactNeeded));
        Assert.Contains(DeliveryKind.ContactNeeded, trace.States[^1].VcuTasks);
        Assert.True(trace.States[^1].Counted.ContainsKey(TallyCategories.InformedThenFailed(Channel.Email)));
    }

    [Property(MaxTest = 300)]
    public Property Tallies_count_each_channel_event_once_ever() =>
        Prop.ForAll(Arb.From(Steps()), steps =>
        {
            var states = Run(steps).States;
            return states.Zip(states.Skip(1)).All(p => p.First.Counted.All(e => p.Second.Counted.TryGetValue(e.Key, out var m) && m == e.Value));
        });
}
