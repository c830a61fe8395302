using System.Text.Json;
using Referrals.Contact;

namespace Referrals.Rules;

/// <summary>The dry-run output of rulebook section 8: one JSON object per victim, or one per refused message.</summary>
public static class DecisionJson
{
    public static void Write(Utf8JsonWriter json, VictimDecision decision)
    {
        json.WriteStartObject();
        json.WriteString("eventId", decision.EventId);
        json.WriteString("crimeReference", decision.CrimeReference);
        json.WriteString("victimId", decision.VictimId);
        WriteStrings(json, "categories", decision.Categories.Select(c => c.ToString()));
        json.WriteString("pathway", decision.Pathway.ToString());
        json.WriteString("referral", decision.Referral.ToString());
        WriteStrings(json, "services", decision.Services);
        WriteStrings(json, "eligibleServices", decision.EligibleServices);
        json.WriteBoolean("singleSessionOffer", decision.SingleSessionOffer);
        json.WriteBoolean("enhancedRights", decision.EnhancedRights);
        json.WriteStartObject("email");
        json.WriteBoolean("send", decision.Email.Send);
        WriteNullable(json, "recipient", decision.Email.Recipient?.ToString());
        WriteNullable(json, "reason", decision.Email.Reason?.ToString());
        json.WriteEndObject();
        WriteContact(json, decision.Contact);
        json.WriteBoolean("held", decision.Held);
        json.WriteString("referralDueBy", decision.ReferralDueBy.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        WriteStrings(json, "reasons", decision.Reasons);
        json.WriteEndObject();
    }

    /// <summary>Rulebook 1.1 section 8's <c>contact</c>: the plan's channels and reasons, never a contact detail.</summary>
    private static void WriteContact(Utf8JsonWriter json, ContactPlan plan)
    {
        json.WriteStartObject("contact");
        WriteNullable(json, "channel", plan.First?.ToString());
        WriteNullable(json, "recipient", plan.First is null ? null : plan.Recipient?.ToString());
        json.WriteStartArray("plan");
        foreach (var line in plan.Lines)
        {
            json.WriteStartObject();
            json.WriteString("channel", line.Channel.ToString());
            json.WriteBoolean("safe", line.Safe);
            WriteNullable(json, "reason", line.Reason?.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("contactNeeded", plan.ContactNeeded);
        WriteStrings(json, "reasons", plan.Reasons);
        json.WriteEndObject();
    }

    public static void WriteRejected(Utf8JsonWriter json, string? eventId, string reason)
    {
        json.WriteStartObject();
        WriteNullable(json, "eventId", eventId);
        json.WriteBoolean("rejected", true);
        json.WriteString("reason", reason);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
