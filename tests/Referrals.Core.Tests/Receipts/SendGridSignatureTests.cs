using System.Security.Cryptography;
using System.Text;
using Referrals.Receipts;

namespace Referrals.Tests.Receipts;

/// <summary>SendGrid's Signed Event Webhook: ECDSA P-256 over the timestamp and the raw body, and a five-minute window.</summary>
public class SendGridSignatureTests
{
    // The test vector SendGrid's own libraries (C#, Java, Node, Python, Ruby, PHP, Go) verify in their tests.
    private const string VectorKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
    private const string VectorOtherKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    private const string VectorSignature = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
    private const string VectorTimestamp = "1588788367";
    private const string VectorPayload = """{"category":"example_payload","event":"test_event","message_id":"message_id"}""";
    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(1588788367);

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""[{"event":"delivered","sg_event_id":"e1","timestamp":1790000000}]""");
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SendGrids_published_test_vector_verifies()
    {
        var check = new SendGridSignature(VectorKey).Check(VectorSignature, VectorTimestamp, Encoding.UTF8.GetBytes(VectorPayload), VectorTime);

        Assert.Equal(RequestCheck.Valid, check);
    }

    [Theory]
    [InlineData(VectorOtherKey, VectorPayload, VectorTimestamp)]
    [InlineData(VectorKey, """{"category":"example_payload","event":"test_event","message_id":"message_id" }""", VectorTimestamp)]
    [InlineData(VectorKey, VectorPayload, "1588788368")]
    public void The_vector_with_another_key_body_or_timestamp_is_forged(string key, string payload, string timestamp)
    {
        var check = new SendGridSignature(key).Check(VectorSignature, timestamp, Encoding.UTF8.GetBytes(payload), VectorTime);

        Assert.Equal(RequestCheck.Forged, check);
    }

    [Fact]
    public void A_signature_made_with_a_key_pair_verifies_with_its_public_key_only()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (signature, timestamp) = SendGridSignature.Sign(key, Body, Now);

        Assert.Equal(RequestCheck.Valid, new SendGridSignature(SendGridSignature.PublicKeyOf(key)).Check(signature, timestamp, Body, Now));
        Assert.Equal(RequestCheck.Forged, new SendGridSignature(SendGridSignature.PublicKeyOf(other)).Check(signature, timestamp, Body, Now));
    }

    [Fact]
    public void Every_single_byte_changed_in_the_body_makes_it_forged()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var verifier = new SendGridSignature(SendGridSignature.PublicKeyOf(key));
        var (signature, timestamp) = SendGridSignature.Sign(key, Body, Now);

        for (var i = 0; i < Body.Length; i++)
        {
            var tampered = (byte[])Body.Clone();
            tampered[i] ^= 0x01;
            Assert.Equal(RequestCheck.Forged, verifier.Check(signature, timestamp, tampered, Now));
        }
    }

    [Theory]
    [InlineData(-301, RequestCheck.Stale)]
    [InlineData(-299, RequestCheck.Valid)]
    [InlineData(0, RequestCheck.Valid)]
    [InlineData(299, RequestCheck.Valid)]
    [InlineData(301, RequestCheck.Stale)]
    [InlineData(-86400, RequestCheck.Stale)]
    public void A_signed_timestamp_more_than_five_minutes_from_now_is_stale(int secondsFromNow, RequestCheck expected)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (signature, timestamp) = SendGridSignature.Sign(key, Body, Now.AddSeconds(secondsFromNow));

        Assert.Equal(expected, new SendGridSignature(SendGridSignature.PublicKeyOf(key)).Check(signature, timestamp, Body, Now));
    }

    [Fact]
    public void A_PEM_public_key_is_accepted_too()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (signature, timestamp) = SendGridSignature.Sign(key, Body, Now);

        Assert.Equal(RequestCheck.Valid, new SendGridSignature(key.ExportSubjectPublicKeyInfoPem()).Check(signature, timestamp, Body, Now));
    }

    [Theory]
    [InlineData(null, "1790000000")]
    [InlineData("", "1790000000")]
    [InlineData("c2ln", null)]
    [InlineData("c2ln", "")]
    public void A_request_without_signature_or_timestamp_is_missing_them(string? signature, string? timestamp)
    {
        Assert.Equal(RequestCheck.Missing, new SendGridSignature(VectorKey).Check(signature, timestamp, Body, Now));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("MEUCIQCtIHJeH93Y")]
    public void A_signature_that_is_not_a_DER_ECDSA_signature_is_forged(string signature)
    {
        Assert.Equal(RequestCheck.Forged, new SendGridSignature(VectorKey).Check(signature, VectorTimestamp, Encoding.UTF8.GetBytes(VectorPayload), VectorTime));
    }

    [Theory]
    [InlineData("-1588788367")]
    [InlineData("1588788367.5")]
    [InlineData(" 1588788367")]
    [InlineData("99999999999999999999999")]
    public void A_timestamp_that_is_not_whole_seconds_is_forged(string timestamp)
    {
        Assert.Equal(RequestCheck.Forged, new SendGridSignature(VectorKey).Check(VectorSignature, timestamp, Encoding.UTF8.GetBytes(VectorPayload), VectorTime));
    }

    [Fact]
    public void With_no_usable_P256_key_configured_everything_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        foreach (var key in new[] { null, "", "   ", "not a key", Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), SendGridSignature.PublicKeyOf(p384) })
        {
            var verifier = new SendGridSignature(key);
            Assert.False(verifier.IsConfigured);
            Assert.Equal(RequestCheck.NotConfigured, verifier.Check(VectorSignature, VectorTimestamp, Encoding.UTF8.GetBytes(VectorPayload), VectorTime));
        }
    }
}
