namespace Referrals.Contact;

/// <summary>
/// Rulebook section 6: the channels of the entitlement information, in the order they are tried. The one channel type
/// of the pipeline (plans, messages, receipts, work items, review files): stored, tallied and sent in work items by name.
/// </summary>
public enum Channel
{
    Email,
    Sms,
    Letter,
}

/// <summary>The words for a channel: what a person reads, and the short word of file names and metric tags.</summary>
public static class ChannelNames
{
    /// <summary>Email, text message, letter: the order the channels are tried in.</summary>
    public static readonly IReadOnlyList<Channel> InOrder = [Channel.Email, Channel.Sms, Channel.Letter];

    /// <summary>"email", "text message", "letter".</summary>
    public static string Noun(this Channel channel) => channel switch
    {
        Channel.Email => "email",
        Channel.Sms => "text message",
        _ => "letter",
    };

    /// <summary>"email", "text", "letter": review file names and metric tags.</summary>
    public static string Word(this Channel channel) => channel switch
    {
        Channel.Email => "email",
        Channel.Sms => "text",
        _ => "letter",
    };
}
