using MimeKit;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Tests.Rendering;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Emails;

/// <summary>
/// Defence in depth for the entitlement email and its .eml file: no snapshot value adds a line, a heading, a
/// header or markup, whatever the parser lets through. The snapshots are built as records, bypassing the parser.
/// </summary>
public class HostileEntitlementEmailTests
{
    private static readonly OfficerInCase Officer = new("PC 4821 Khan", "oic.4821@police.example", "101");

    private static readonly string[] ExpectedHeaders = ["From", "Date", "Subject", "Message-Id", "To", "Content-Language"];

    private static CrimeEvent Adult() => Snapshot("28E", officer: Officer, victims: Victim() with { Title = "Mx" });

    private static CrimeEvent Child() => Snapshot("34B", officer: Officer, victims:
        Victim(dateOfBirth: ChildBirthDate, parent: new ParentOrGuardian("Jo Taylor", "parent@example.org", true, false)));

    private static readonly Dictionary<string, (Func<CrimeEvent> Base, Func<CrimeEvent, string, CrimeEvent> Set)> Fields = new()
    {
        ["crime.reference"] = (Adult, (s, v) => s with { Crime = s.Crime with { Reference = v } }),
        ["victim.title"] = (Adult, (s, v) => WithVictim(s, x => x with { Title = v })),
        ["victim.givenName"] = (Adult, (s, v) => WithVictim(s, x => x with { GivenName = v })),
        ["victim.familyName"] = (Adult, (s, v) => WithVictim(s, x => x with { FamilyName = v })),
        ["child.givenName"] = (Child, (s, v) => WithVictim(s, x => x with { GivenName = v })),
        ["parentOrGuardian.name"] = (Child, (s, v) => WithVictim(s, x => x with { ParentOrGuardian = x.ParentOrGuardian! with { Name = v } })),
        ["officer.name"] = (Adult, (s, v) => s with { Crime = s.Crime with { OfficerInCase = Officer with { Name = v } } }),
        ["officer.email"] = (Adult, (s, v) => s with { Crime = s.Crime with { OfficerInCase = Officer with { Email = v } } }),
        ["officer.phone"] = (Adult, (s, v) => s with { Crime = s.Crime with { OfficerInCase = Officer with { Phone = v } } }),
    };

    public static TheoryData<string, int> FieldsAndValues()
    {
        var data = new TheoryData<string, int>();
        foreach (var field in Fields.Keys)
        {
            for (var i = 0; i < HostileValues.All.Length; i++)
            {
                data.Add(field, i);
            }
        }

        return data;
    }

    private static bool IsHeading(string line) => line.Any(char.IsLetter) && !line.Any(char.IsLower);

    private static CrimeEvent WithVictim(CrimeEvent snapshot, Func<Victim, Victim> change) =>
        snapshot with { Victims = [change(snapshot.Victims[0])] };

    private static EntitlementEmail Compose(CrimeEvent snapshot) =>
        Composer.Compose(snapshot, snapshot.Victims[0], Rulebook.Decide(snapshot, snapshot.Victims[0])) ?? throw new InvalidOperationException("no email");

    [Theory]
    [MemberData(nameof(FieldsAndValues))]
    public void No_field_value_adds_a_line_or_a_header_or_markup_to_the_entitlement_email(string field, int value)
    {
        var (clean, set) = Fields[field];
        var hostileValue = HostileValues.All[value];
        var email = Compose(set(clean(), hostileValue));
        // A contact that is not one valid address or number is left out, so the email reads as if there were none.
        var expected = Compose(field switch
        {
            "officer.email" => set(clean(), null!),
            "officer.phone" => set(clean(), null!),
            _ => clean(),
        });

        Assert.DoesNotContain(email.Subject, HostileValues.IsUnreadable);
        var lines = HostileValues.Lines(email.TextBody, "\n");
        Assert.Equal(expected.TextBody.Split('\n').Length, lines.Length);
        Assert.Equal(expected.TextBody.Split('\n').Where(IsHeading), lines.Where(IsHeading));
        HostileValues.Lines(email.HtmlBody, "\n");
        Assert.Equal(expected.HtmlBody.Count(c => c == '<'), email.HtmlBody.Count(c => c == '<'));
        Assert.Equal(expected.HtmlBody.Count(c => c == '"'), email.HtmlBody.Count(c => c == '"'));
        Assert.DoesNotContain("{{", email.HtmlBody.Replace("{{#officer}}{{name}}{{/officer}} {{{nationalSupportUrl}}}", "", StringComparison.Ordinal), StringComparison.Ordinal);

        using var mime = EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch);
        Assert.Equal(ExpectedHeaders, mime.Headers.Select(h => h.Field));
        Assert.Equal(email.To, Assert.IsType<MailboxAddress>(Assert.Single(mime.To)).Address);
    }

    [Fact]
    public void Mustache_in_a_value_is_printed_not_rendered()
    {
        var email = Compose(WithVictim(Adult(), v => v with { Title = null, GivenName = "{{#officer}}{{name}}{{/officer}}", FamilyName = "{{{nationalSupportUrl}}}" }));

        Assert.Contains("\nDear {{#officer}}{{name}}{{/officer}} {{{nationalSupportUrl}}},\n", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Dear {{#officer}}{{name}}{{/officer}} {{{nationalSupportUrl}}},", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_angle_brackets_and_ampersands_are_encoded_in_the_html_part()
    {
        var email = Compose(WithVictim(Adult(), v => v with { Title = null, GivenName = "Sam \"Q\" O'Neil", FamilyName = "<b>Taylor</b> & Co" }));

        Assert.Contains("Dear Sam &quot;Q&quot; O&#39;Neil &lt;b&gt;Taylor&lt;/b&gt; &amp; Co,", email.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Dear Sam \"Q\" O'Neil <b>Taylor</b> & Co,", email.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call 101 <b>now</b>")]
    [InlineData("101\r\nEmail: forged@attacker.example")]
    [InlineData("ext. 4821")]
    public void An_officer_phone_that_is_not_a_number_is_left_out(string phone)
    {
        var email = Compose(Adult() with { Crime = Adult().Crime with { OfficerInCase = Officer with { Phone = phone } } });

        Assert.DoesNotContain("\nPhone: ", email.TextBody[email.TextBody.IndexOf("THE OFFICER", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("\nEmail: oic.4821@police.example\n", email.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Rights\r\nBcc: forged@attacker.example")]
    [InlineData("Rights\nContent-Type: text/html")]
    [InlineData("Rights\u0085Bcc: forged@attacker.example")]
    [InlineData("Rights\u2028Bcc: forged@attacker.example")]
    [InlineData("Rights\u202E\u200B")]
    public void An_eml_has_exactly_the_expected_headers_whatever_the_subject(string subject)
    {
        var email = Compose(Adult()) with { Subject = subject };

        using var mime = EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch);
        Assert.Equal(ExpectedHeaders, mime.Headers.Select(h => h.Field));
        Assert.DoesNotContain(mime.Subject!, HostileValues.IsUnreadable);
        Assert.Empty(mime.Bcc);
    }

    [Fact]
    public async Task The_eml_file_written_for_a_hostile_snapshot_has_exactly_the_expected_headers()
    {
        var snapshot = WithVictim(Adult(), v => v with { GivenName = "Sam\r\nBcc: forged@attacker.example", FamilyName = "\u2028Subject: forged" });
        snapshot = snapshot with { Crime = snapshot.Crime with { Reference = "DB/26/1\r\nBcc: forged@attacker.example\r\n" } };
        var folder = Path.Combine(Path.GetTempPath(), $"referrals-eml-{Guid.NewGuid():N}");
        try
        {
            var path = await EmlWriter.WriteAsync(Compose(snapshot), MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch, folder, CancellationToken.None);

            var file = (await File.ReadAllTextAsync(path)).Replace("\r\n", "\n", StringComparison.Ordinal);
            Assert.DoesNotContain('\r', file);
            var head = file.Split("\n\n")[0].Split('\n');
            Assert.Equal([.. ExpectedHeaders, "MIME-Version", "Content-Type"], head.Where(l => !l.StartsWith(' ') && !l.StartsWith('\t')).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]));
            using var loaded = await MimeMessage.LoadAsync(path);
            Assert.Empty(loaded.Bcc);
            Assert.Equal("victim@example.org", Assert.IsType<MailboxAddress>(Assert.Single(loaded.To)).Address);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("Evil <evil@attacker.example>")]
    [InlineData("victim@example.org, evil@attacker.example")]
    [InlineData("victim@example.org\r\nBcc: evil@attacker.example")]
    [InlineData("evil\u202E@attacker.example")]
    public void An_eml_refuses_a_recipient_that_is_not_one_bare_address(string to)
    {
        var email = Compose(Adult()) with { To = to };

        Assert.Throws<ArgumentException>(() => EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void An_eml_refuses_a_language_that_is_not_a_language_tag()
    {
        var email = Compose(Adult()) with { Language = "en\r\nBcc: evil@attacker.example" };

        Assert.Throws<ArgumentException>(() => EmlWriter.ToMime(email, MailboxAddress.Parse("vcu@police.example"), DateTimeOffset.UnixEpoch));
    }
}
