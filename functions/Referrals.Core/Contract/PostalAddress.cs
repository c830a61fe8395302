using System.Text.RegularExpressions;

namespace Referrals.Contract;

/// <summary>
/// A postal address as the contract (revision 1.1) gives it: 1 to 5 lines and a UK postcode. A malformed
/// address is kept as <see cref="IsValid"/> false with the rule it breaks and no content, so it can be
/// treated as absent with a reason (like an invalid email) and can never be printed by mistake.
/// </summary>
public sealed partial record PostalAddress
{
    public const int MaxLines = 5;
    public const int MaxLineLength = 80;

    private PostalAddress(IReadOnlyList<string> lines, string postcode, string? problem)
    {
        Lines = lines;
        Postcode = postcode;
        Problem = problem;
    }

    /// <summary>The address lines, trimmed; empty when the address is not valid.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>The postcode, upper case with one space before the inward code (DE4 3AG); empty when the address is not valid.</summary>
    public string Postcode { get; }

    /// <summary>Why the address cannot be used, naming the rule and never quoting it; null when valid.</summary>
    public string? Problem { get; }

    public bool IsValid => Problem is null;

    /// <summary>The address when its lines and postcode follow the contract, else a malformed one saying why.</summary>
    public static PostalAddress Create(IReadOnlyList<string> lines, string postcode)
    {
        var trimmed = lines.Select(l => l.Trim()).ToList();
        if (trimmed.Count is 0 or > MaxLines || trimmed.Any(l => l.Length is 0 or > MaxLineLength))
        {
            return Malformed($"its lines must be 1 to {MaxLines} non-empty strings of at most {MaxLineLength} characters");
        }

        return TryNormalisePostcode(postcode, out var normalised)
            ? new PostalAddress(trimmed, normalised, null)
            : Malformed("its postcode is not a UK postcode");
    }

    public static PostalAddress Malformed(string problem) => new([], string.Empty, problem);

    /// <summary>A UK postcode, upper case with one space before the inward code; false for anything else.</summary>
    public static bool TryNormalisePostcode(string? candidate, out string postcode)
    {
        postcode = string.Empty;
        var compact = candidate?.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (compact is null || !UkPostcode().IsMatch(compact))
        {
            return false;
        }

        postcode = $"{compact[..^3]} {compact[^3..]}";
        return true;
    }

    public bool Equals(PostalAddress? other) =>
        other is not null && Lines.SequenceEqual(other.Lines) && Postcode == other.Postcode && Problem == other.Problem;

    public override int GetHashCode() => HashCode.Combine(Lines.Count, Postcode, Problem);

    [GeneratedRegex("^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex UkPostcode();
}
