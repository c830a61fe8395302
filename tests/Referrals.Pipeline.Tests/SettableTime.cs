namespace Referrals.Pipeline.Tests;

/// <summary>A clock the test moves by hand (months or years at a time); delays and timers still take real time.</summary>
internal sealed class SettableTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
