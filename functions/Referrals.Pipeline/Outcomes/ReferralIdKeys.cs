using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Referrals.Forwarding;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Storage;
using Referrals.Tallies;

namespace Referrals.Pipeline.Outcomes;

/// <summary>
/// The self-locating public ids the ingest issues (<see cref="PublicReferralIds.Located"/>): the month index partition of
/// the snapshot's own index write (the month it was stored, the crime's bucket), then HMAC-SHA256 of that month and the
/// delivery id under a key derived (HKDF-SHA256, its own label) from the log-hash key, as <see cref="Contact.RecipientKeys"/>
/// derives its key. The same snapshot gives the same ids on every redelivery; without the key they cannot be guessed.
/// </summary>
public sealed class ReferralIdKeys(byte[] key)
{
    public static ReferralIdKeys From(IOptions<LogRedactionOptions> options) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.HashKey), 32, info: "referrals public referral id key v1"u8.ToArray()));

    /// <summary>The id of the referral <paramref name="deliveryId"/>, handed on by its crime's snapshot stored at <paramref name="storedAt"/>.</summary>
    public string For(DateTimeOffset storedAt, string crimeReference, string deliveryId)
    {
        var month = Month.Of(storedAt);
        return PublicReferralIds.Located(month, MonthIndex.Bucket(VictimStateStore.PartitionKeyFor(crimeReference)), HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{month}|{deliveryId}")));
    }
}
