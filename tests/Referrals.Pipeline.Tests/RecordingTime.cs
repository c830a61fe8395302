namespace Referrals.Pipeline.Tests;

/// <summary>A clock fixed in time that records the delays asked of it and lets them pass at once.</summary>
internal sealed class RecordingTime : TimeProvider
{
    private readonly DateTimeOffset _now = new(2026, 10, 5, 9, 0, 0, TimeSpan.Zero);

    public List<TimeSpan> Delays { get; } = [];

    public override DateTimeOffset GetUtcNow() => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Add(dueTime);
        return System.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
