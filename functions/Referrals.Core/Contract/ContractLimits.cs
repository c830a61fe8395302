using System.Globalization;

namespace Referrals.Contract;

public static class ContractLimits
{
    public const int MaxMessageBytes = 64 * 1024;
    public const int MaxVictims = 50;
    public const int MaxReferenceLength = 64;
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 200;
    public const int MaxShortTextLength = 320;
    public const int MaxDescriptionLength = 2000;

    public static string TooLarge(long bytes) => string.Create(
        CultureInfo.InvariantCulture,
        $"message is {bytes:N0} bytes; a snapshot may be at most {MaxMessageBytes:N0} bytes (64 KiB)");
}
