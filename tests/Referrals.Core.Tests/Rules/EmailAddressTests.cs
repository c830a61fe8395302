using Referrals.Rules;

namespace Referrals.Tests.Rules;

/// <summary>Contract: an email that is not a single valid address is treated as absent.</summary>
public class EmailAddressTests
{
    [Theory]
    [InlineData("Evil <evil@attacker.example>")]
    [InlineData("a@x.org, b@y.org")]
    [InlineData("a@x.org;b@y.org")]
    [InlineData("not-an-email")]
    [InlineData("alex morgan@example.org")]
    [InlineData("alex@example.org\r\nBcc: evil@attacker.example")]
    [InlineData("alex@example.org\u0085")]
    [InlineData("\"alex\"@example.org")]
    [InlineData("alex@[127.0.0.1]")]
    [InlineData("a@b@example.org")]
    [InlineData("alex\u200B@example.org")]
    [InlineData("alex\u202E@example.org")]
    [InlineData("alex\uFEFF@example.org")]
    [InlineData("alex@localhost")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_one_bare_address_is_not_valid(string? candidate)
    {
        Assert.False(EmailAddress.TryNormalise(candidate, out var address));
        Assert.Empty(address);
        Assert.Null(EmailAddress.ValidOrNull(candidate));
    }

    [Theory]
    [InlineData("alex.morgan@example.org", "alex.morgan@example.org")]
    [InlineData("  alex+victims@example.co.uk ", "alex+victims@example.co.uk")]
    public void One_bare_address_is_valid_and_trimmed(string candidate, string expected)
    {
        Assert.True(EmailAddress.TryNormalise(candidate, out var address));
        Assert.Equal(expected, address);
        Assert.Equal(expected, EmailAddress.ValidOrNull(candidate));
        Assert.True(EmailAddress.IsValid(candidate));
    }
}
