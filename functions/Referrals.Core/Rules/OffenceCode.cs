namespace Referrals.Rules;

public static class OffenceCode
{
    /// <summary>Rulebook section 1: trim, upper-case letters, and read '/' as '.' (so "4/4" is "4.4").</summary>
    public static string Normalise(string code) =>
        code.Trim().ToUpperInvariant().Replace('/', '.');
}
