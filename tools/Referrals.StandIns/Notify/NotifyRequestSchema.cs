using System.Text.Json;
using System.Text.Json.Nodes;

namespace Referrals.StandIns.Notify;

/// <summary>
/// The request schemas of <c>POST /v2/notifications/sms</c> and <c>/letter</c> (alphagov/notifications-api at commit
/// 8ea236603c43fe96df83459e9b37e0a7c45769a2, <c>app/v2/notifications/notification_schemas.py</c>: post_sms_request
/// lines 148-163, post_letter_request 239-251), with the messages <c>app/schema_validation/__init__.py</c> builds
/// (lines 136-185: every error, "field message" without quotes). The phone number's format is checked after, by
/// <see cref="NotifyPhone"/>, with the same messages.
/// </summary>
internal static class NotifyRequestSchema
{
    public static NotifyError? Check(string type, JsonObject body)
    {
        var errors = new List<string>();
        string[] allowed = type == "sms"
            ? ["reference", "phone_number", "template_id", "personalisation", "scheduled_for", "sms_sender_id"]
            : ["reference", "template_id", "personalisation"];
        string[] required = type == "sms" ? ["phone_number", "template_id"] : ["template_id", "personalisation"];
        errors.AddRange(required.Where(r => !body.ContainsKey(r)).Select(r => $"{r} is a required property"));
        var unexpected = body.Select(p => p.Key).Where(k => !allowed.Contains(k, StringComparer.Ordinal)).ToList();
        if (unexpected.Count > 0)
        {
            errors.Add($"Additional properties are not allowed ({string.Join(", ", unexpected)} {(unexpected.Count == 1 ? "was" : "were")} unexpected)");
        }

        foreach (var (name, value) in body)
        {
            var kind = value?.GetValueKind() ?? JsonValueKind.Null;
            string? problem = name switch
            {
                "reference" when kind != JsonValueKind.String => "is not of type string",
                "reference" when value!.GetValue<string>().Length > 1000 => "is too long",
                "phone_number" when kind != JsonValueKind.String => "is not of type string",
                "template_id" or "sms_sender_id" when kind != JsonValueKind.String || !Guid.TryParse(value!.GetValue<string>(), out _) => "is not a valid UUID",
                "personalisation" when kind != JsonValueKind.Object => "is not of type object",
                "scheduled_for" when kind is not (JsonValueKind.String or JsonValueKind.Null) => "is not of type string, null",
                _ => null,
            };
            if (problem is not null)
            {
                errors.Add($"{name} {problem}");
            }
        }

        return errors.Count == 0 ? null : new NotifyError(400, "ValidationError", errors[0]) { More = errors.Skip(1).ToList() };
    }
}
