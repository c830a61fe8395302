using System.Globalization;

namespace Referrals.Contract;

public static class ContractLimits
{
    public const int MaxMessageBytes = 64 * 1024;
    public const int MaxVictims = 50;
    /// <summary>crime.reference, victims[].id and eventId: 1 to 64 printable ASCII characters.</summary>
    public const int MaxIdLength = 64;
    public const int MaxCodeLength = 128;
    public const int MaxNameLength = 200;
    public const int MaxShortTextLength = 320;
    public const int MaxDescriptionLength = 2000;

    /// <summary>The earliest sentAt or recordedAt the contract accepts (revision 1.1).</summary>
    public static readonly DateTimeOffset EarliestInstant = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest sentAt or recordedAt the contract accepts (revision 1.1).</summary>
    public static readonly DateTimeOffset LatestInstant = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The earliest dateOfBirth the contract accepts.</summary>
    public static readonly DateOnly EarliestDateOfBirth = new(1900, 1, 1);

    public static string TooLarge(long bytes) => string.Create(
        CultureInfo.InvariantCulture,
        $"message is {bytes:N0} bytes; a snapshot may be at most {MaxMessageBytes:N0} bytes (64 KiB)");
}
