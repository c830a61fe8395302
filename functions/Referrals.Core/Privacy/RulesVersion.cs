using System.Security.Cryptography;

namespace Referrals.Privacy;

/// <summary>
/// Which rules decided: the rulebook's revision and a hash of the rules data a force edits without a release (the
/// offence codes and the services directory), so a decision can be matched to the exact files later.
/// </summary>
public static class RulesVersion
{
    /// <summary>The rulebook this code implements (docs/contracts/referral-rules-v1.md).</summary>
    public const string Rulebook = "referral-rules-v1.1";

    /// <summary>e.g. "referral-rules-v1.1+data-3f2a…" (the first 16 hex digits of SHA-256 over both files, length-prefixed).</summary>
    public static string Of(ReadOnlySpan<byte> offenceCodes, ReadOnlySpan<byte> services)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { offenceCodes.ToArray(), services.ToArray() })
        {
            hash.AppendData(BitConverter.GetBytes((long)file.Length));
            hash.AppendData(file);
        }

        return $"{Rulebook}+data-{Convert.ToHexStringLower(hash.GetHashAndReset())[..16]}";
    }
}
