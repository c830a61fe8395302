using System.Text;
using Referrals.Outcomes;

namespace Referrals.Tests.Outcomes;

/// <summary>The outcome API's signature: either of two secrets, within the replay window, over method, path, query, timestamp and body.</summary>
public class OutcomeSignatureTests
{
    private const string Secret = "a-service-secret-of-32-characters!!";
    private const string Next = "the-next-service-secret-of-32-chars!";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Timestamp = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"reports":[]}""");

    private static string Signature(string secret, string query = "referralId=R-1", string method = "POST") =>
        OutcomeSignature.Sign(secret, OutcomeSignature.Canonical(method, "/api/outcomes", query, Timestamp, Body));

    private static SignatureCheck Check(string? signature, string?[]? secrets = null, string query = "?referralId=R-1", string? timestamp = null, DateTimeOffset? now = null) =>
        OutcomeSignature.Check(secrets ?? [Secret, Next], "post", "/api/outcomes", query, timestamp ?? Timestamp, signature, Body, now ?? Now, TimeSpan.FromMinutes(5));

    [Fact]
    public void Either_secret_signs_and_the_query_s_question_mark_and_the_method_s_case_do_not_matter()
    {
        Assert.Equal(SignatureCheck.Valid, Check(Signature(Secret)));
        Assert.Equal(SignatureCheck.Valid, Check(Signature(Next)));
        Assert.Matches("^v1=[0-9a-f]{64}$", Signature(Secret));
    }

    [Fact]
    public void Another_secret_query_method_or_body_is_invalid()
    {
        Assert.Equal(SignatureCheck.Invalid, Check(Signature("another-secret-of-32-characters-long!")));
        Assert.Equal(SignatureCheck.Invalid, Check(Signature(Secret, query: "referralId=R-2")));
        Assert.Equal(SignatureCheck.Invalid, Check(Signature(Secret, method: "GET")));
        Assert.Equal(SignatureCheck.Invalid, OutcomeSignature.Check([Secret], "POST", "/api/outcomes", "referralId=R-1", Timestamp, Signature(Secret), "{}"u8, Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Outside_the_replay_window_either_way_is_stale()
    {
        Assert.Equal(SignatureCheck.Stale, Check(Signature(Secret), now: Now.AddMinutes(6)));
        Assert.Equal(SignatureCheck.Stale, Check(Signature(Secret), now: Now.AddMinutes(-6)));
        Assert.Equal(SignatureCheck.Valid, Check(Signature(Secret), now: Now.AddMinutes(4)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("v1=abc")]
    [InlineData("v2=0000000000000000000000000000000000000000000000000000000000000000")]
    public void No_signature_or_one_not_in_its_form_is_missing(string? signature) => Assert.Equal(SignatureCheck.Missing, Check(signature));

    [Fact]
    public void No_usable_secret_closes_the_door_an_unresolved_Key_Vault_reference_and_a_short_secret_included()
    {
        const string Reference = "@Microsoft.KeyVault(VaultName=kv;SecretName=outcome-secret-general)";
        Assert.Equal(SignatureCheck.Missing, Check(Signature(Reference), secrets: [Reference, null]));
        Assert.Equal(SignatureCheck.Missing, Check(Signature("short"), secrets: ["short", ""]));
        Assert.Equal(SignatureCheck.Missing, Check(Signature(Secret), timestamp: "yesterday"));
        Assert.Equal(SignatureCheck.Valid, Check(Signature(Secret), secrets: [Reference, Secret]));
    }
}
