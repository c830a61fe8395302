using Microsoft.Extensions.Options;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Worklist;

namespace Referrals.Pipeline.Tests;

/// <summary>The worklist's anti-forgery token: bound to one person, the same in the form and the cookie, and good for a working day.</summary>
public sealed class AntiForgeryTests
{
    private static readonly DateTimeOffset Morning = new(2026, 10, 5, 8, 0, 0, TimeSpan.Zero);

    private static AntiForgery With(SettableTime time, string key = "a-test-key-of-at-least-thirty-two-characters") =>
        new(Options.Create(new LogRedactionOptions { HashKey = key }), time);

    [Fact]
    public void A_token_verifies_for_its_person_in_form_and_cookie_until_it_expires_and_for_nobody_else()
    {
        var time = new SettableTime(Morning);
        var guard = With(time);
        var token = guard.TokenFor("patel", null);

        Assert.True(guard.Verify("patel", token, token));
        Assert.False(guard.Verify("jones", token, token));
        Assert.False(guard.Verify("patel", token, null));
        Assert.False(guard.Verify("patel", null, token));
        Assert.False(guard.Verify("patel", token, guard.TokenFor("patel", null)));
        Assert.False(guard.Verify("patel", token[..^1], token[..^1]));
        Assert.False(guard.Verify("patel", "not a token", "not a token"));
        Assert.False(With(time, "another-key-of-at-least-thirty-two-characters").Verify("patel", token, token));

        time.Now = Morning + AntiForgery.Lifetime - TimeSpan.FromSeconds(1);
        Assert.True(guard.Verify("patel", token, token));
        time.Now = Morning + AntiForgery.Lifetime + TimeSpan.FromSeconds(1);
        Assert.False(guard.Verify("patel", token, token));
    }

    [Fact]
    public void The_page_keeps_a_persons_token_while_it_has_an_hour_left_so_open_tabs_keep_working_then_issues_a_new_one()
    {
        var time = new SettableTime(Morning);
        var guard = With(time);
        var token = guard.TokenFor("patel", null);

        Assert.Equal(token, guard.TokenFor("patel", token));
        Assert.NotEqual(token, guard.TokenFor("jones", token));
        time.Now = Morning + AntiForgery.Lifetime - TimeSpan.FromMinutes(59);
        Assert.NotEqual(token, guard.TokenFor("patel", token));
    }

    [Fact]
    public void The_cookie_is_HttpOnly_SameSite_Strict_and_on_HTTPS_Secure_with_the_Host_prefix()
    {
        Assert.Equal("__Host-worklist-token=abc; Path=/; Max-Age=36000; HttpOnly; SameSite=Strict; Secure", AntiForgery.Cookie("abc", https: true));
        Assert.Equal("worklist-token=abc; Path=/; Max-Age=36000; HttpOnly; SameSite=Strict", AntiForgery.Cookie("abc", https: false));
        Assert.Equal("abc", AntiForgery.FromCookieHeader("AppServiceAuthSession=x; __Host-worklist-token=abc; other=1", https: true));
        Assert.Null(AntiForgery.FromCookieHeader("worklist-token=abc", https: true));
        Assert.Null(AntiForgery.FromCookieHeader(null, https: false));
    }
}
