using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Referrals.Pipeline.Logging;

/// <summary>
/// Which ids may appear in logs as they are: those matching the force's id patterns. Anything else (a name typed
/// into an id field, say) is logged as a short keyed hash, so the same id always logs the same way.
/// </summary>
public sealed class LogRedactionOptions : IValidatableObject
{
    public const string Section = "LogRedaction";

    /// <summary>A whole crime reference, e.g. DB/26/000101.</summary>
    [Required]
    public string CrimeReferencePattern { get; set; } = @"[A-Z]{2}/[0-9]{2}/[0-9]{6}";

    /// <summary>A whole victim id within a crime, e.g. V1.</summary>
    [Required]
    public string VictimIdPattern { get; set; } = "V[0-9]{1,3}";

    /// <summary>A whole event id: the records system sends UUIDs.</summary>
    [Required]
    public string EventIdPattern { get; set; } = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

    /// <summary>The HMAC-SHA256 key of the hashes (a Key Vault reference in Azure; the local host sets a development one).</summary>
    [Required(ErrorMessage = "LogRedaction:HashKey is required (a Key Vault reference in Azure).")]
    [MinLength(32, ErrorMessage = "LogRedaction:HashKey must be at least 32 characters.")]
    public string HashKey { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HashKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            // An unresolved Key Vault reference would silently become a key everybody can read.
            yield return new ValidationResult("LogRedaction:HashKey is an unresolved Key Vault reference: check the secret and the app's access to it.", [nameof(HashKey)]);
        }

        foreach (var (name, pattern) in new[] { (nameof(CrimeReferencePattern), CrimeReferencePattern), (nameof(VictimIdPattern), VictimIdPattern), (nameof(EventIdPattern), EventIdPattern) })
        {
            if (!IsRegex(pattern))
            {
                yield return new ValidationResult($"LogRedaction:{name} is not a valid regular expression.", [name]);
            }
        }
    }

    private static bool IsRegex(string? pattern)
    {
        try
        {
            _ = new Regex(pattern ?? string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
