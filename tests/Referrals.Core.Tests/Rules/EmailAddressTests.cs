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
    [InlineData("alex@.example.org")]
    [InlineData("alex@example.org.")]
    [InlineData("alex@example..org")]
    [InlineData("@example.org")]
    [InlineData("alex@")]
    [InlineData("alex@example.org\u2028")]
    [InlineData("\u2029alex@example.org")]
    [InlineData("alex@example.org\u0007")]
    [InlineData("alex(comment)@example.org")]
    [InlineData("alex@example.org:25")]
    [InlineData("alex\\@example.org")]
    [InlineData("   ")]
    [InlineData("alex\u00A0morgan@example.org")]
    [InlineData("alex\u2003@example.org")]
    [InlineData("alex\uD83D\uDE00@example.org")]
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

    /// <summary>An address of <paramref name="length"/> characters: a 64-character local part and a domain of short labels.</summary>
    private static string AddressOf(int length)
    {
        var local = new string('a', 64);
        var domain = string.Join('.', Enumerable.Repeat("bbbbbbbbb", 20))[..(length - local.Length - 1 - 4)].TrimEnd('.') + ".org";
        return (local + "@" + domain).PadLeft(length, 'c');
    }

    [Fact]
    public void An_address_of_254_characters_is_valid_and_one_of_255_is_not()
    {
        Assert.Equal(254, AddressOf(254).Length);
        Assert.True(EmailAddress.IsValid(AddressOf(254)));
        Assert.False(EmailAddress.IsValid(AddressOf(255)));
    }
}
