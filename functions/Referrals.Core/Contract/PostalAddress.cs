using Referrals.Rendering;

namespace Referrals.Contract;

/// <summary>
/// A postal address as the contract (revision 1.2) gives it: 1 to 5 lines and a UK postcode or a BFPO number, usable
/// for a letter exactly when GOV.UK Notify would print it (<see cref="LetterAddress"/>). A malformed or unusable
/// address is kept as <see cref="IsValid"/> false with the rule it breaks and no content, so it can be treated as
/// absent with a reason (like an invalid email) and can never be printed by mistake.
/// </summary>
public sealed record PostalAddress
{
    public const int MaxLines = 5;
    public const int MaxLineLength = 80;

    /// <summary>The first line of a letter to nobody by name; Notify takes it as a first line.</summary>
    public const string Occupier = "The Occupier";

    private PostalAddress(IReadOnlyList<string> lines, string postcode, string? problem)
    {
        Lines = lines;
        Postcode = postcode;
        Problem = problem;
    }

    /// <summary>The address lines, trimmed; empty when the address is not valid.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>
    /// The postcode as Notify prints it (DE4 3AG), or the BFPO number (BFPO 105); empty when the address is not valid.
    /// </summary>
    public string Postcode { get; }

    /// <summary>Why the address cannot be used, naming the rule and never quoting it; null when valid.</summary>
    public string? Problem { get; }

    public bool IsValid => Problem is null;

    /// <summary>True for a British Forces Post Office address (its <see cref="Postcode"/> is a BFPO number).</summary>
    public bool IsBfpo => Postcode.StartsWith("BFPO", StringComparison.Ordinal);

    /// <summary>The address when its lines and postcode follow the contract and Notify would print it, else a malformed one saying why.</summary>
    public static PostalAddress Create(IReadOnlyList<string> lines, string postcode)
    {
        var trimmed = lines.Select(l => l.Trim()).ToList();
        if (trimmed.Count is 0 or > MaxLines || trimmed.Any(l => l.Length is 0 or > MaxLineLength))
        {
            return Malformed($"its lines must be 1 to {MaxLines} non-empty strings of at most {MaxLineLength} characters");
        }

        if ((LetterAddress.Postcode(postcode) ?? LetterAddress.Bfpo(postcode)) is not { } normalised)
        {
            return Malformed("its postcode is not a real UK postcode or a BFPO number");
        }

        // Notify judges the whole block: the addressee's line (always one it takes: LetterAddress.Addressee), the
        // lines, the postcode. Which name heads the letter cannot change the verdict, so "The Occupier" stands in.
        var address = new PostalAddress(trimmed, normalised, null);
        return LetterAddress.Check(address.LetterLines(Occupier)) is { } rule ? Malformed($"GOV.UK Notify would not print it: {LetterAddress.Describe(rule)}") : address;
    }

    public static PostalAddress Malformed(string problem) => new([], string.Empty, problem);

    /// <summary>
    /// The address block of a letter, as Notify's address_line_1 to address_line_7: the addressee (already made
    /// acceptable by <see cref="LetterAddress.Addressee"/>), each line on one line, the postcode or BFPO number last.
    /// </summary>
    public IReadOnlyList<string> LetterLines(string addressee) =>
        [addressee, .. Lines.Select(l => SafeText.OneLine(l)!).Where(l => l.Length > 0), Postcode];

    /// <summary>A real UK postcode as Notify prints it (upper case, one space before the inward code); false for anything else.</summary>
    public static bool TryNormalisePostcode(string? candidate, out string postcode)
    {
        postcode = LetterAddress.Postcode(candidate) ?? string.Empty;
        return postcode.Length > 0;
    }

    public bool Equals(PostalAddress? other) =>
        other is not null && Lines.SequenceEqual(other.Lines) && Postcode == other.Postcode && Problem == other.Problem;

    public override int GetHashCode() => HashCode.Combine(Lines.Count, Postcode, Problem);
}
