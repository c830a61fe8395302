namespace Referrals.Pipeline.Storage;

/// <summary>The comma-separated list columns of a victim's row (services referred, VCU tasks, tally events).</summary>
public static class CommaList
{
    public static string[] Split(string? list) =>
        string.IsNullOrEmpty(list) ? [] : list.Split(',');

    public static string Join(IEnumerable<string> items) => string.Join(',', items);
}
