using Referrals.Contract;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Contact;

/// <summary>
/// One channel of a victim's contact plan: safe (no reason) or why not, with the words a caseworker reads.
/// <see cref="To"/> (an email address or a +447 number) and <see cref="Post"/> are the recipient's contact when the
/// channel is safe: personal data, never logged or written to the dry-run output.
/// </summary>
public sealed record ChannelLine(Channel Channel, MessageReason? Reason, string Because, string? To = null, PostalAddress? Post = null)
{
    public bool Safe => Reason is null;
}

/// <summary>
/// Rulebook 1.1 section 6 for one victim of one snapshot: each channel in order, safe or why not. The information goes
/// by the <see cref="First"/> safe channel; when none is safe a Victim Care Unit task is raised (<see cref="ContactNeeded"/>),
/// except for a bereaved family after a homicide, whom their family liaison officer tells in person.
/// </summary>
/// <param name="Recipient">Who is written to on every channel (the victim, or a child's parent or guardian); null when nobody safely can be.</param>
/// <param name="Addressee">The name a letter is addressed to; personal data.</param>
public sealed record ContactPlan(IReadOnlyList<ChannelLine> Lines, EmailRecipient? Recipient, string? Addressee)
{
    public ChannelLine this[Channel channel] => Lines.First(l => l.Channel == channel);

    public Channel? First => Lines.FirstOrDefault(l => l.Safe)?.Channel;

    public bool FamilyLiaison => Lines.Any(l => l.Reason == MessageReason.FamilyLiaison);

    public bool ContactNeeded => First is null && !FamilyLiaison;

    /// <summary>What a caseworker reads about the plan: one line per channel, then its outcome.</summary>
    public IReadOnlyList<string> Reasons =>
    [
        .. Lines.Select(l => l.Because),
        First is { } first ? $"entitlement information by {first.Noun()}"
            : FamilyLiaison ? "no automated message on any channel (FamilyLiaison)"
            : "no safe channel: the Victim Care Unit is asked to make contact (ContactNeeded)",
    ];
}
