using Referrals.Contract;

namespace Referrals.Rules;

/// <summary>The crime flags the rules act on; any others are kept and ignored.</summary>
public static class CrimeFlags
{
    public const string DomesticAbuse = "DomesticAbuse";
    public const string Hate = "Hate";
    public const string Terrorism = "Terrorism";
    public const string RepeatVictim = "RepeatVictim";

    /// <summary>Rulebook 1.1 section 9: the officer in the case asks that nobody connected with the crime is contacted or referred for now.</summary>
    public const string HoldContact = "HoldContact";

    /// <summary>Matched whatever the letter case: a misspelt case must not cost a victim the safer pathway.</summary>
    public static bool Has(Crime crime, string flag) =>
        crime.Flags.Any(f => string.Equals(f, flag, StringComparison.OrdinalIgnoreCase));
}
