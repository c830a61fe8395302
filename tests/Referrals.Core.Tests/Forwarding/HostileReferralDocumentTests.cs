using System.Text.Json;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Tests.Rendering;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Forwarding;

/// <summary>
/// Defence in depth: the secure email, the Victim Care Unit tasks and the API document stay one value per labelled
/// line, and show a contact as safe only when the snapshot confirmed it, whatever the parser lets through. The
/// snapshots are built as records, bypassing the parser.
/// </summary>
public class HostileReferralDocumentTests
{
    private static readonly string[] ContactLabels = ["Phone", "Email", "Parent or guardian email"];

    /// <summary>A child with a phone and an email not confirmed safe, and a parent who is a suspect: nothing here is safe to use.</summary>
    private static CrimeEvent Clean() => Snapshot("19C", victims:
        new Victim("V1", "Mx", "Sam", "Taylor", ChildBirthDate, "victim@example.org", false, "07700 900123", null, "en",
            false, false, false, SupportAnswer.NotAsked, new ParentOrGuardian("Jo Taylor", "parent@example.org", true, true)))
        with
    { Crime = Snapshot().Crime with { Offence = new Offence("19C", "Assault by penetration") } };

    private static readonly Dictionary<string, Func<CrimeEvent, string, CrimeEvent>> Fields = new()
    {
        ["crime.reference"] = (s, v) => s with { Crime = s.Crime with { Reference = v } },
        ["offence.description"] = (s, v) => s with { Crime = s.Crime with { Offence = s.Crime.Offence with { Description = v } } },
        ["offence.homeOfficeCode"] = (s, v) => s with { Crime = s.Crime with { Offence = s.Crime.Offence with { HomeOfficeCode = v } } },
        ["victim.id"] = (s, v) => WithVictim(s, x => x with { Id = v }),
        ["victim.title"] = (s, v) => WithVictim(s, x => x with { Title = v }),
        ["victim.givenName"] = (s, v) => WithVictim(s, x => x with { GivenName = v }),
        ["victim.familyName"] = (s, v) => WithVictim(s, x => x with { FamilyName = v }),
        ["victim.email"] = (s, v) => WithVictim(s, x => x with { Email = v, EmailSafe = true }),
        ["victim.phone"] = (s, v) => WithVictim(s, x => x with { Phone = v, PhoneSafe = true }),
        ["victim.preferredLanguage"] = (s, v) => WithVictim(s, x => x with { PreferredLanguage = v }),
        ["parentOrGuardian.name"] = (s, v) => WithVictim(s, x => x with { ParentOrGuardian = x.ParentOrGuardian! with { Name = v } }),
        ["parentOrGuardian.email"] = (s, v) => WithVictim(s, x => x with { ParentOrGuardian = x.ParentOrGuardian! with { Email = v } }),
    };

    public static TheoryData<string, DeliveryKind, int> FieldsKindsAndValues()
    {
        var data = new TheoryData<string, DeliveryKind, int>();
        foreach (var field in Fields.Keys)
        {
            foreach (var kind in new[] { DeliveryKind.Referral, DeliveryKind.SingleSessionOffer, DeliveryKind.ConsentRequest })
            {
                for (var i = 0; i < HostileValues.All.Length; i++)
                {
                    data.Add(field, kind, i);
                }
            }
        }

        return data;
    }

    private static CrimeEvent WithVictim(CrimeEvent snapshot, Func<Victim, Victim> change) =>
        snapshot with { Victims = [change(snapshot.Victims[0])] };

    private static ReferralDocument Document(CrimeEvent snapshot, DeliveryKind kind = DeliveryKind.Referral, string service = "isva") =>
        ReferralDocument.For(kind, service, snapshot, snapshot.Victims[0], Rulebook.Decide(snapshot, snapshot.Victims[0]));

    [Theory]
    [InlineData("offence.description")]
    [InlineData("victim.givenName")]
    [InlineData("parentOrGuardian.name")]
    public void A_label_written_inside_free_text_stays_quoted_as_what_the_record_says(string field)
    {
        const string forged = "Email: evil@attacker.example (safe to use)\u201D Parent or guardian may be a suspect: no";
        var text = Document(Fields[field](Clean(), forged)).ToText();

        var line = Assert.Single(text.Split("\r\n"), l => l.Contains("evil@attacker.example", StringComparison.Ordinal));
        var value = line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        Assert.StartsWith("\u201C", value, StringComparison.Ordinal);
        Assert.EndsWith("\u201D", value, StringComparison.Ordinal);
        Assert.Equal(2, value.Count(c => c is '\u201C' or '\u201D'));
        Assert.Equal(line, Assert.Single(text.Split("\r\n"), l => l.Contains("(safe to use)", StringComparison.Ordinal)));
        Assert.Contains("\r\nParent or guardian may be a suspect: yes or not recorded", text, StringComparison.Ordinal);
    }

    private static List<string> Labels(string[] lines) =>
        [.. lines.Where(l => l.Length > 0).Select(l => l.Contains(": ", StringComparison.Ordinal) ? l[..l.IndexOf(": ", StringComparison.Ordinal)] : $"(no label) {l}")];

    [Theory]
    [MemberData(nameof(FieldsKindsAndValues))]
    public void No_field_value_adds_a_line_a_label_or_a_safe_contact_to_the_secure_email_text(string field, DeliveryKind kind, int value)
    {
        var clean = Document(Clean(), kind);
        var hostile = Document(Fields[field](Clean(), HostileValues.All[value]), kind);

        var text = hostile.ToText();
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var lines = HostileValues.Lines(text, "\r\n");
        var labels = Labels(lines);
        var cleanLabels = Labels(clean.ToText().Split("\r\n"));

        // The same labelled lines in the same order, except that a contact may be replaced by the reason it is left out.
        Assert.Equal(cleanLabels.Count, labels.Count);
        Assert.Equal(cleanLabels.Where(l => !ContactLabels.Contains(l)), labels.Where(l => !ContactLabels.Contains(l) && l != "Not included"));
        Assert.All(lines.Where(l => ContactLabels.Any(c => l.StartsWith(c + ": ", StringComparison.Ordinal))),
            l => Assert.DoesNotContain("safe to use", l.Replace("NOT confirmed safe: do not use", "", StringComparison.Ordinal), StringComparison.Ordinal));
        Assert.Equal("Parent or guardian may be a suspect: yes or not recorded: do not contact them about the victim",
            Assert.Single(lines, l => l.StartsWith("Parent or guardian may be a suspect", StringComparison.Ordinal)));
        Assert.DoesNotContain(hostile.Subject, HostileValues.IsUnreadable);
    }

    [Theory]
    [MemberData(nameof(FieldsKindsAndValues))]
    public void No_field_value_reaches_the_api_document_unreadable_or_makes_a_contact_safe(string field, DeliveryKind kind, int value)
    {
        var hostile = Document(Fields[field](Clean(), HostileValues.All[value]), kind, "general");
        using var json = JsonDocument.Parse(hostile.ToJsonBytes());

        // The ids are the Idempotency-Key, derived from the raw identifiers (Delivery.cs); every other string is checked.
        foreach (var (path, text) in Strings(json.RootElement, "").Where(s => s.Path is not ("id" or "withdrawsReferralId")))
        {
            Assert.False(text.Any(HostileValues.IsUnreadable), $"{path} holds an unreadable character");
        }

        var victim = json.RootElement.GetProperty("victim");
        var parent = json.RootElement.GetProperty("parentOrGuardian");
        Assert.False(parent.GetProperty("emailSafe").GetBoolean());
        Assert.True(!victim.TryGetProperty("email", out var email) || email.GetString() == "victim@example.org");
        Assert.True(!victim.TryGetProperty("phone", out var phone) || phone.GetString() == "07700 900123");
        Assert.True(!parent.TryGetProperty("email", out var parentEmail) || parentEmail.GetString() == "parent@example.org");
        Assert.False(victim.TryGetProperty("email", out _) && victim.GetProperty("emailSafe").GetBoolean() && field != "victim.email");
        Assert.False(victim.GetProperty("phoneSafe").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(HostileValues.Indexes), MemberType = typeof(HostileValues))]
    public void A_withdrawal_with_hostile_identifiers_keeps_its_lines(int value)
    {
        var hostile = ReferralDocument.Withdrawal("DB/26/1" + HostileValues.All[value], "V1" + HostileValues.All[value], "general");

        var lines = HostileValues.Lines(hostile.ToText(), "\r\n");
        Assert.Equal(["Kind", "Id", "Withdraws referral", "Service", "Crime reference"], Labels(lines));
        Assert.DoesNotContain(hostile.Subject, HostileValues.IsUnreadable);
        var erasure = ReferralDocument.ErasureNotice("DB/26/1" + HostileValues.All[value], "V1" + HostileValues.All[value], "general", HostileValues.All[value]);
        Assert.Equal(["Kind", "Id", "Erasure notice for referral", "Service", "Crime reference"], Labels(HostileValues.Lines(erasure.ToText(), "\r\n")));
        Assert.DoesNotContain(erasure.Subject, HostileValues.IsUnreadable);
        using var json = JsonDocument.Parse(hostile.ToJsonBytes());
        Assert.DoesNotContain(json.RootElement.GetProperty("crimeReference").GetString()!, HostileValues.IsUnreadable);
    }

    [Theory]
    [InlineData("Evil <evil@attacker.example>")]
    [InlineData("\"Victim\" <evil@attacker.example>")]
    [InlineData("victim@example.org, evil@attacker.example")]
    [InlineData("victim@example.org;evil@attacker.example")]
    [InlineData("not-an-email")]
    [InlineData("evil\u202E@attacker.example")]
    [InlineData("evil@attacker\u200B.example")]
    public void An_email_that_is_not_one_valid_address_is_left_out_with_its_reason_even_if_flagged_safe(string email)
    {
        var snapshot = WithVictim(Clean(), v => v with { Email = email, EmailSafe = true, ParentOrGuardian = v.ParentOrGuardian! with { Email = email, EmailSafe = true, IsSuspect = false } });

        foreach (var kind in new[] { DeliveryKind.Referral, DeliveryKind.ConsentRequest, DeliveryKind.SingleSessionOffer })
        {
            var document = Document(snapshot, kind);
            using var json = JsonDocument.Parse(document.ToJsonBytes());
            var victim = json.RootElement.GetProperty("victim");
            var parent = json.RootElement.GetProperty("parentOrGuardian");
            Assert.False(victim.TryGetProperty("email", out _));
            Assert.False(victim.GetProperty("emailSafe").GetBoolean());
            Assert.Equal(["email: not a single valid address"], victim.GetProperty("omitted").EnumerateArray().Select(r => r.GetString()));
            Assert.False(parent.TryGetProperty("email", out _));
            Assert.False(parent.GetProperty("emailSafe").GetBoolean());
            Assert.Equal(["parent or guardian email: not a single valid address"], parent.GetProperty("omitted").EnumerateArray().Select(r => r.GetString()));
            Assert.DoesNotContain("attacker", json.RootElement.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain("not-an-email", json.RootElement.GetRawText(), StringComparison.Ordinal);

            var text = document.ToText();
            Assert.DoesNotContain("attacker", text, StringComparison.Ordinal);
            Assert.DoesNotContain("not-an-email", text, StringComparison.Ordinal);
            Assert.DoesNotContain("safe to use", text.Replace("NOT confirmed safe: do not use", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("\r\nNot included: email: not a single valid address\r\n", text, StringComparison.Ordinal);
            Assert.Contains("\r\nNot included: parent or guardian email: not a single valid address\r\n", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("call me after 6")]
    [InlineData("07700 900123 <b>")]
    [InlineData("victim@example.org")]
    [InlineData("12")]
    [InlineData("07700\u2028900123")]
    [InlineData("\uFF10\uFF17\uFF17\uFF10\uFF10 900123")]
    public void A_phone_that_does_not_look_like_a_number_is_left_out_with_its_reason(string phone)
    {
        var document = Document(WithVictim(Clean(), v => v with { Phone = phone, PhoneSafe = true }));
        using var json = JsonDocument.Parse(document.ToJsonBytes());
        var victim = json.RootElement.GetProperty("victim");

        Assert.False(victim.TryGetProperty("phone", out _));
        Assert.False(victim.GetProperty("phoneSafe").GetBoolean());
        Assert.Contains("phone: not a phone number", victim.GetProperty("omitted").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain("\r\nPhone: ", document.ToText(), StringComparison.Ordinal);
        Assert.Contains("\r\nNot included: phone: not a phone number\r\n", document.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+44 (0)7700 900123")]
    [InlineData("07700 900123")]
    [InlineData("0117-496-0000")]
    public void A_phone_number_confirmed_safe_is_sent_as_safe(string phone)
    {
        var document = Document(WithVictim(Clean(), v => v with { Phone = phone, PhoneSafe = true }));
        using var json = JsonDocument.Parse(document.ToJsonBytes());

        Assert.Equal(phone, json.RootElement.GetProperty("victim").GetProperty("phone").GetString());
        Assert.True(json.RootElement.GetProperty("victim").GetProperty("phoneSafe").GetBoolean());
        Assert.Contains($"\r\nPhone: {phone} (safe to use)\r\n", document.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(null)]
    public void A_parent_who_is_or_may_be_a_suspect_is_never_labelled_safe_even_when_their_email_is_flagged_safe(bool? isSuspect)
    {
        var snapshot = WithVictim(Clean(), v => v with { ParentOrGuardian = new ParentOrGuardian("Jo Taylor", "parent@example.org", true, isSuspect) });

        foreach (var kind in new[] { DeliveryKind.Referral, DeliveryKind.ConsentRequest, DeliveryKind.SingleSessionOffer })
        {
            var document = Document(snapshot, kind);
            using var json = JsonDocument.Parse(document.ToJsonBytes());
            var parent = json.RootElement.GetProperty("parentOrGuardian");

            Assert.False(parent.GetProperty("emailSafe").GetBoolean());
            Assert.Contains("\r\nParent or guardian email: parent@example.org (NOT confirmed safe: do not use)\r\n", document.ToText(), StringComparison.Ordinal);
            Assert.DoesNotContain("(safe to use)", document.ToText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_parent_recorded_as_not_a_suspect_with_an_email_confirmed_safe_is_labelled_safe()
    {
        var document = Document(WithVictim(Clean(), v => v with { ParentOrGuardian = new ParentOrGuardian("Jo Taylor", "parent@example.org", true, false) }), DeliveryKind.ConsentRequest);
        using var json = JsonDocument.Parse(document.ToJsonBytes());

        Assert.True(json.RootElement.GetProperty("parentOrGuardian").GetProperty("emailSafe").GetBoolean());
        Assert.Contains("\r\nParent or guardian email: parent@example.org (safe to use)\r\n", document.ToText(), StringComparison.Ordinal);
        Assert.Contains("\r\nParent or guardian may be a suspect: no\r\n", document.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "victim@example.org (safe to use)")]
    [InlineData(false, "victim@example.org (NOT confirmed safe: do not use)")]
    [InlineData(null, "victim@example.org (NOT confirmed safe: do not use)")]
    public void A_victims_email_is_labelled_safe_only_when_the_snapshot_confirmed_it(bool? emailSafe, string line)
    {
        var document = Document(WithVictim(Clean(), v => v with { EmailSafe = emailSafe }));
        using var json = JsonDocument.Parse(document.ToJsonBytes());

        Assert.Equal(emailSafe == true, json.RootElement.GetProperty("victim").GetProperty("emailSafe").GetBoolean());
        Assert.Contains($"\r\nEmail: {line}\r\n", document.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_built_by_other_code_shows_no_unchecked_contact_and_no_extra_line()
    {
        var document = ReferralDocument.For(DeliveryKind.Referral, "isva", Clean(), Clean().Victims[0], Decide(Clean())) with
        {
            Victim = new VictimDetails("V1", null, "Sam", "Taylor", "999\r\nEmail: forged@attacker.example", true,
                "Evil <evil@attacker.example>", true, null, false),
        };

        var lines = HostileValues.Lines(document.ToText(), "\r\n");
        Assert.Contains("Email: not included (not a single valid address)", lines);
        Assert.Contains("Phone: not included (not a phone number)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("attacker", StringComparison.Ordinal));
    }

    private static IEnumerable<(string Path, string Text)> Strings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return (path, element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var inner in Strings(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var inner in Strings(item, path + "[]"))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }
}
