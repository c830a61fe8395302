using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Referrals.Contract;
using Referrals.Rules;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Rules;

/// <summary>Rulebook section 8: the dry-run output, one JSON object per victim or refused message, with no address in it.</summary>
public class DecisionJsonTests
{
    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            write(json);
        }

        return JsonNode.Parse(Encoding.UTF8.GetString(stream.ToArray()))!.ToJsonString();
    }

    private static string Normalised(string json) => JsonNode.Parse(json)!.ToJsonString();

    [Fact]
    public void A_decision_is_written_with_every_field_and_no_email_address() =>
        Assert.Equal(Normalised("""
            { "eventId": "evt-1", "crimeReference": "DB/26/000001", "victimId": "V1", "categories": ["SexualOffence"],
              "pathway": "Consent", "referral": "Declined", "services": [], "eligibleServices": ["general", "isva"],
              "singleSessionOffer": true, "enhancedRights": true,
              "email": { "send": true, "recipient": "Victim", "reason": null },
              "contact": { "channel": "Email", "recipient": "Victim",
                "plan": [
                  { "channel": "Email", "safe": true, "reason": null },
                  { "channel": "Sms", "safe": false, "reason": "NoMobileNumber" },
                  { "channel": "Letter", "safe": false, "reason": "NoPostalAddress" }],
                "contactNeeded": false,
                "reasons": [
                  "entitlement email to the victim",
                  "no text message (NoMobileNumber): victim has no mobile number",
                  "no letter (NoPostalAddress): victim has no postal address",
                  "entitlement information by email"] },
              "held": false,
              "referralDueBy": "2026-10-07",
              "reasons": [
                "offence 19C (Rape of a female aged 16 and over) is a sexual offence",
                "sexual offence: consent pathway",
                "victim declined referral: no service referred; Victim Care Unit single-session offer raised",
                "enhanced rights: victim of the most serious crime",
                "entitlement email to the victim"] }
            """),
            Written(json => DecisionJson.Write(json, Decide("19C", victim: Victim(support: SupportAnswer.Declined)))));

    [Fact]
    public void A_suppressed_email_is_written_with_its_reason_and_no_recipient()
    {
        var written = JsonNode.Parse(Written(json => DecisionJson.Write(json, Decide("28E", victim: Victim(emailSafe: false)))))!;
        Assert.Equal(Normalised("""{ "send": false, "recipient": null, "reason": "UnsafeToContact" }"""), written["email"]!.ToJsonString());
        Assert.Equal(Normalised("""["general"]"""), written["services"]!.ToJsonString());
        Assert.False(written["singleSessionOffer"]!.GetValue<bool>());
        Assert.False(written["enhancedRights"]!.GetValue<bool>());
    }

    [Fact]
    public void A_refused_message_is_written_with_its_event_id_and_reason() =>
        Assert.Equal(Normalised("""{ "eventId": "evt-9", "rejected": true, "reason": "not JSON" }"""),
            Written(json => DecisionJson.WriteRejected(json, "evt-9", "not JSON")));

    [Fact]
    public void A_refused_message_without_an_event_id_is_written_with_a_null_one() =>
        Assert.Equal(Normalised("""{ "eventId": null, "rejected": true, "reason": "not JSON" }"""),
            Written(json => DecisionJson.WriteRejected(json, null, "not JSON")));

    [Fact]
    public void Categories_are_listed_in_the_rulebooks_order() =>
        Assert.Equal(Normalised("""["SexualOffence", "DomesticAbuse", "Child"]"""),
            JsonNode.Parse(Written(json => DecisionJson.Write(json, Decide("20B", ["DomesticAbuse"], Victim(dateOfBirth: ChildBirthDate)))))!["categories"]!.ToJsonString());
}
