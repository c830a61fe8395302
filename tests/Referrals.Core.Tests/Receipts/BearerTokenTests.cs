using Referrals.Receipts;

namespace Referrals.Tests.Receipts;

/// <summary>The bearer token Notify sends with its callbacks.</summary>
public class BearerTokenTests
{
    private const string Token = "a-long-random-callback-token-0123456789";

    [Theory]
    [InlineData("Bearer " + Token)]
    [InlineData("bearer " + Token)]
    [InlineData("Bearer " + Token + " ")]
    public void The_configured_token_is_accepted(string authorization) =>
        Assert.Equal(RequestCheck.Valid, new BearerToken(Token).Check(authorization));

    [Theory]
    [InlineData("Bearer a-long-random-callback-token-012345678")]
    [InlineData("Bearer " + Token + "0")]
    [InlineData("Bearer A-LONG-RANDOM-CALLBACK-TOKEN-0123456789")]
    [InlineData("Bearer x")]
    public void Any_other_token_is_forged(string authorization) =>
        Assert.Equal(RequestCheck.Forged, new BearerToken(Token).Check(authorization));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(Token)]
    [InlineData("Basic " + Token)]
    [InlineData("Bearer ")]
    public void No_bearer_token_is_missing(string? authorization) =>
        Assert.Equal(RequestCheck.Missing, new BearerToken(Token).Check(authorization));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void With_no_token_configured_everything_is_refused(string? configured) =>
        Assert.Equal(RequestCheck.NotConfigured, new BearerToken(configured).Check("Bearer "));
}
