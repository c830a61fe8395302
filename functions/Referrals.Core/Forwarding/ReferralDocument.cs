using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Rendering;
using Referrals.Rules;

namespace Referrals.Forwarding;

/// <summary>
/// What a service receives: only what it needs to contact and support the victim (docs/architecture.md,
/// "What a service receives"). No date of birth, no address, no officer, no other victim, no offence narrative.
/// </summary>
public sealed record ReferralDocument : IDeliveryDocument
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public required string Id { get; init; }

    public required DeliveryKind Kind { get; init; }

    public required string Service { get; init; }

    public required string CrimeReference { get; init; }

    /// <summary>
    /// The id the service reports this referral's outcomes by (<see cref="PublicReferralIds"/>, rulebook 1.2 section 11):
    /// opaque, so no crime reference or victim id goes into a URL; a withdrawal and an erasure notice name it too.
    /// </summary>
    public string? PublicId { get; init; }

    /// <summary>For a withdrawal: the referral it withdraws.</summary>
    public string? WithdrawsReferralId { get; init; }

    /// <summary>For an erasure notice: the referral whose victim's personal data was erased (rulebook 1.2 section 11).</summary>
    public string? ErasesReferralId { get; init; }

    public OffenceDetails? Offence { get; init; }

    public DateOnly? RecordedDate { get; init; }

    public VictimDetails? Victim { get; init; }

    public ParentOrGuardianDetails? ParentOrGuardian { get; init; }

    public Pathway? Pathway { get; init; }

    public SupportAnswer? Consent { get; init; }

    public bool? EnhancedRights { get; init; }

    public DateOnly? DueBy { get; init; }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    string? IDeliveryDocument.VictimId => Victim?.Id;

    /// <summary>
    /// A referral for the victim as the snapshot describes them now. Every text value is made one line
    /// (<see cref="SafeText"/>); a contact detail is included only when it is one valid address or number,
    /// and flagged safe only when the snapshot confirmed it and its owner is not (possibly) a suspect.
    /// </summary>
    /// <param name="publicId">The id the service reports outcomes by (<see cref="PublicReferralIds"/>); null for a delivery recorded before there were any.</param>
    public static ReferralDocument For(DeliveryKind kind, string serviceId, CrimeEvent snapshot, Contract.Victim victim, VictimDecision decision, string? publicId = null) => new()
    {
        Id = DeliveryId.For(kind, snapshot.Crime.Reference, victim.Id, serviceId),
        Kind = kind,
        Service = SafeText.OneLine(serviceId),
        CrimeReference = SafeText.OneLine(snapshot.Crime.Reference),
        PublicId = PublicReferralIds.Normalise(publicId),
        Offence = new OffenceDetails(SafeText.OneLine(OffenceCode.Normalise(snapshot.Crime.Offence.HomeOfficeCode)), SafeText.OneLine(snapshot.Crime.Offence.Description)),
        RecordedDate = London.DateOf(snapshot.Crime.RecordedAt),
        Victim = VictimDetails.Of(victim, decision.IsChild),
        ParentOrGuardian = decision.IsChild && victim.ParentOrGuardian is { } parent ? ParentOrGuardianDetails.Of(parent) : null,
        Pathway = decision.Pathway,
        Consent = victim.Support,
        EnhancedRights = decision.EnhancedRights,
        DueBy = decision.ReferralDueBy,
    };

    /// <summary>A withdrawal names the referral and nothing about the victim: the service already has the rest.</summary>
    public static ReferralDocument Withdrawal(string crimeReference, string victimId, string serviceId) => new()
    {
        Id = DeliveryId.For(DeliveryKind.Withdrawal, crimeReference, victimId, serviceId),
        Kind = DeliveryKind.Withdrawal,
        Service = SafeText.OneLine(serviceId),
        CrimeReference = SafeText.OneLine(crimeReference),
        WithdrawsReferralId = DeliveryId.For(DeliveryKind.Referral, crimeReference, victimId, serviceId),
    };

    /// <summary>
    /// An erasure notice names the referral (its ids and crime reference) and nothing about the victim: the service is to
    /// erase what it holds about them, as its data-sharing agreement says.
    /// </summary>
    public static ReferralDocument ErasureNotice(string crimeReference, string victimId, string serviceId, string? publicId) => new()
    {
        Id = DeliveryId.For(DeliveryKind.ErasureNotice, crimeReference, victimId, serviceId),
        Kind = DeliveryKind.ErasureNotice,
        Service = SafeText.OneLine(serviceId),
        CrimeReference = SafeText.OneLine(crimeReference),
        PublicId = PublicReferralIds.Normalise(publicId),
        ErasesReferralId = DeliveryId.For(DeliveryKind.Referral, crimeReference, victimId, serviceId),
    };

    /// <summary>The subject of a secure email: identifiers only, never a name.</summary>
    [JsonIgnore]
    public string Subject => SafeText.OneLine(Kind switch
    {
        DeliveryKind.Referral => $"Referral {SafeText.OneLine(Id)} (crime {SafeText.OneLine(CrimeReference)})",
        DeliveryKind.Withdrawal => $"Withdrawal of referral {SafeText.OneLine(WithdrawsReferralId)} (crime {SafeText.OneLine(CrimeReference)})",
        DeliveryKind.ErasureNotice => $"Erasure notice for referral {SafeText.OneLine(ErasesReferralId)} (crime {SafeText.OneLine(CrimeReference)})",
        DeliveryKind.SingleSessionOffer => $"Single-session offer task {SafeText.OneLine(Id)} (crime {SafeText.OneLine(CrimeReference)})",
        DeliveryKind.ContactNeeded => $"Contact-needed task {SafeText.OneLine(Id)} (crime {SafeText.OneLine(CrimeReference)})",
        _ => $"Consent-seeking task {SafeText.OneLine(Id)} (crime {SafeText.OneLine(CrimeReference)})",
    });

    /// <summary>
    /// The body of a secure email or Victim Care Unit task: the same fields as the JSON, one per line. Each line
    /// is a fixed label and one value made one line here, so no value can start a line of its own; contacts are
    /// checked again, so a document built by other code cannot show an unchecked one or an unconfirmed flag.
    /// </summary>
    /// <summary>
    /// Free text from the record is quoted, so words in it that look like a label or a mark ("Email: … (safe to use)")
    /// read as what the record says, not as the document's own; a quote inside cannot close it early.
    /// </summary>
    private static string? Quoted(string? value) =>
        SafeText.OneLine(value) is { Length: > 0 } line
            ? $"\u201C{line.Replace('\u201C', '\'').Replace('\u201D', '\'').Replace('"', '\'')}\u201D"
            : null;

    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string label, object? value)
        {
            var line = SafeText.OneLine(Convert.ToString(value, CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(line))
            {
                text.Append(label).Append(": ").Append(line).Append("\r\n");
            }
        }

        Line("Kind", Kind);
        Line("Id", Id);
        Line("Referral id for outcomes", PublicId);
        Line("Withdraws referral", WithdrawsReferralId);
        Line("Erasure notice for referral", ErasesReferralId);
        Line("Service", Service);
        Line("Crime reference", CrimeReference);
        Line("Offence", Offence?.Code);
        Line("Offence description", Quoted(Offence?.Description));
        Line("Recorded", RecordedDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Victim is { } v)
        {
            Line("Victim id", v.Id);
            Line("Name", Quoted(string.Join(' ', new[] { v.Title, v.GivenName, v.FamilyName }.Where(p => !string.IsNullOrWhiteSpace(p)))));
            Line("Phone", Contact(v.Phone, SafeContact.TryPhone, SafeContact.NotAPhone, v.PhoneSafe));
            Line("Email", Contact(v.Email, SafeContact.TryEmail, SafeContact.NotAnEmail, v.EmailSafe));
            foreach (var reason in v.Omitted ?? [])
            {
                Line("Not included", reason);
            }

            Line("Preferred language", Quoted(v.PreferredLanguage));
            Line("Child", v.Child ? "yes" : null);
        }

        if (ParentOrGuardian is { } p)
        {
            Line("Parent or guardian", Quoted(p.Name));
            Line("Parent or guardian email", Contact(p.Email, SafeContact.TryEmail, SafeContact.NotAnEmail, p.EmailSafe && p.IsSuspect == false));
            foreach (var reason in p.Omitted ?? [])
            {
                Line("Not included", reason);
            }

            Line("Parent or guardian may be a suspect", p.IsSuspect == false ? "no" : "yes or not recorded: do not contact them about the victim");
        }

        Line("Pathway", Pathway);
        Line("Consent", Consent);
        Line("Enhanced rights", EnhancedRights is { } e ? (e ? "yes" : "no") : null);
        Line("Due by", DueBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return text.ToString();

        static string? Contact(string? value, ContactCheck check, string invalid, bool safe) =>
            value is null ? null
            : !check(value, out var valid) ? $"not included ({invalid})"
            : $"{valid} ({(safe ? "safe to use" : "NOT confirmed safe: do not use")})";
    }

    private delegate bool ContactCheck(string? candidate, out string valid);
}

public sealed record OffenceDetails(string Code, string? Description);

/// <param name="Omitted">Contact details the snapshot gave but that are not one valid address or number, and why (no value).</param>
public sealed record VictimDetails(
    string Id, string? Title, string? GivenName, string? FamilyName,
    string? Phone, bool PhoneSafe, string? Email, bool EmailSafe,
    string? PreferredLanguage, bool Child, IReadOnlyList<string>? Omitted = null)
{
    public static VictimDetails Of(Contract.Victim victim, bool child)
    {
        var omitted = new List<string>();
        var phone = Checked(victim.Phone, SafeContact.TryPhone(victim.Phone, out var p) ? p : null, $"phone: {SafeContact.NotAPhone}", omitted);
        var email = Checked(victim.Email, SafeContact.TryEmail(victim.Email, out var e) ? e : null, $"email: {SafeContact.NotAnEmail}", omitted);
        return new VictimDetails(
            SafeText.OneLine(victim.Id), Text(victim.Title), Text(victim.GivenName), Text(victim.FamilyName),
            phone, phone is not null && victim.PhoneSafe == true,
            email, email is not null && victim.EmailSafe == true,
            Text(victim.PreferredLanguage), child, omitted.Count > 0 ? omitted : null);
    }

    internal static string? Text(string? value) => SafeText.OneLine(value) is { Length: > 0 } text ? text : null;

    internal static string? Checked(string? given, string? valid, string reason, List<string> omitted)
    {
        if (valid is null && !string.IsNullOrWhiteSpace(given))
        {
            omitted.Add(reason);
        }

        return valid;
    }
}

/// <param name="EmailSafe">True only when the snapshot confirmed the address safe and the adult is recorded as not a suspect.</param>
/// <param name="Omitted">Contact details the snapshot gave but that are not one valid address, and why (no value).</param>
public sealed record ParentOrGuardianDetails(string? Name, string? Email, bool EmailSafe, bool? IsSuspect, IReadOnlyList<string>? Omitted = null)
{
    public static ParentOrGuardianDetails Of(Contract.ParentOrGuardian parent)
    {
        var omitted = new List<string>();
        var email = VictimDetails.Checked(parent.Email, SafeContact.TryEmail(parent.Email, out var e) ? e : null, $"parent or guardian email: {SafeContact.NotAnEmail}", omitted);
        return new ParentOrGuardianDetails(
            VictimDetails.Text(parent.Name), email, email is not null && parent.EmailSafe == true && parent.IsSuspect == false, parent.IsSuspect,
            omitted.Count > 0 ? omitted : null);
    }
}
