using System.ComponentModel.DataAnnotations;

namespace Referrals.Pipeline.Configuration;

/// <summary>The kill switch: one setting that stops every outbound email and referral at once, read on every work item.</summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>true: nothing is sent to SendGrid or any service; email and referral work waits in its queues.</summary>
    public bool Paused { get; set; }

    /// <summary>While paused, how long a work item waits hidden in its queue before it looks at the setting again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PausedRecheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
