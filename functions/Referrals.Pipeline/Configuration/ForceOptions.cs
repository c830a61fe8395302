using System.ComponentModel.DataAnnotations;
using Referrals.Messages;

namespace Referrals.Pipeline.Configuration;

/// <summary>
/// The force's identity in every message (<see cref="ForceIdentity"/>). Every value is required except the Welsh
/// ones: a message from nobody looks like phishing, so start-up refuses a missing or malformed value.
/// </summary>
public sealed class ForceOptions : IValidatableObject
{
    public const string Section = "Force";

    public string Name { get; set; } = string.Empty;

    /// <summary>The name in Welsh messages; empty: <see cref="Name"/>.</summary>
    public string? WelshName { get; set; }

    /// <summary>At most 11 letters, digits or spaces: the text message sender and the name texts begin with.</summary>
    public string ShortName { get; set; } = string.Empty;

    /// <summary>The number a victim calls (usually 101).</summary>
    public string Phone { get; set; } = string.Empty;

    /// <summary>How that number is written, e.g. "101, the police non-emergency number".</summary>
    public string PhoneWording { get; set; } = string.Empty;

    public string? PhoneWordingWelsh { get; set; }

    public string VictimCareUnitPhone { get; set; } = string.Empty;

    public string VictimCareUnitEmail { get; set; } = string.Empty;

    public string Website { get; set; } = string.Empty;

    /// <summary>The page "how we use your information" links to.</summary>
    public string PrivacyNotice { get; set; } = string.Empty;

    /// <summary>true: the Welsh Language Standards apply, so every email and letter is in Welsh and English.</summary>
    public bool Bilingual { get; set; }

    /// <summary>The identity, once <see cref="Validate"/> has found no problem.</summary>
    public ForceIdentity ToIdentity() => new(
        Value(Name),
        Blank(WelshName),
        Value(ShortName),
        Value(Phone),
        Value(PhoneWording),
        Blank(PhoneWordingWelsh),
        Value(VictimCareUnitPhone),
        Value(VictimCareUnitEmail),
        Url(Website),
        Url(PrivacyNotice),
        Bilingual);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ToIdentity().Problems().Select(problem => new ValidationResult($"{Section}:{problem}"));

    // A setting present but empty binds as null.
    private static string Value(string? value) => value?.Trim() ?? string.Empty;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>An unusable address becomes a relative one, which <see cref="ForceIdentity.Problems"/> refuses.</summary>
    private static Uri Url(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) ? uri : new Uri("invalid", UriKind.Relative);
}
