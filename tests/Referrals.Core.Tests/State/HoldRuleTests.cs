using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tasks;
using Referrals.Tests.Contact;

namespace Referrals.Tests.State;

/// <summary>Issue 29: an erased victim's row follows the crime's hold, so their erasure notices wait for it and go when it lifts.</summary>
public class HoldRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static VictimState ErasedWhileHeld()
    {
        var victim = ContactRuleTests.Step(null, ContactRuleTests.Reachable(emailSafe: true));
        return victim with
        {
            Contact = victim.Contact with { Held = true },
            ReferredServices = ["general"],
            TaskBook = victim.Tasks with { Closed = TaskWithdrawal.Erased },
        };
    }

    [Fact]
    public void A_snapshot_that_lifts_the_hold_lifts_it_on_the_erased_row_and_its_erasure_notice_is_then_planned()
    {
        var held = ErasedWhileHeld();

        var lifted = HoldRule.Follow(held, held: false, Now);

        Assert.DoesNotContain(WorkPlan.All(held), p => p.Kind == DeliveryKind.ErasureNotice);
        Assert.False(HoldRule.IsHeld(lifted));
        Assert.Equal(Now, lifted.UpdatedAt);
        Assert.Contains(WorkPlan.Between(held, lifted), p => p.Kind == DeliveryKind.ErasureNotice && p.ServiceId == "general");
    }

    [Fact]
    public void An_unchanged_hold_is_the_same_state()
    {
        var held = ErasedWhileHeld();

        Assert.Same(held, HoldRule.Follow(held, held: true, Now));
        Assert.True(HoldRule.IsHeld(HoldRule.Follow(held with { Contact = held.Contact with { Held = false } }, held: true, Now)));
    }
}
