using System.Text;
using Referrals.Cli;

namespace Referrals.Cli.Tests;

/// <summary>The audit names the operator from their Entra ID token when storage is reached with their sign-in.</summary>
public class OperatorOptionTests
{
    private static string Token(string claims) =>
        $"eyJhbGciOiJub25lIn0.{Convert.ToBase64String(Encoding.UTF8.GetBytes(claims)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.sig";

    [Fact]
    public void A_user_token_names_the_user_principal() =>
        Assert.Equal("j.smith@police.example", OperatorOption.NameInToken(Token("""{"oid":"0000","upn":"j.smith@police.example"}""")));

    [Fact]
    public void An_app_token_names_its_object_id() =>
        Assert.Equal("azure object 1234-abcd", OperatorOption.NameInToken(Token("""{"oid":"1234-abcd"}""")));

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("a.%%%.c")]
    [InlineData("a.e30.c")]
    public void Anything_else_names_nobody(string token) => Assert.Null(OperatorOption.NameInToken(token));
}
