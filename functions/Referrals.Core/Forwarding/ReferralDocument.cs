using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Rules;

namespace Referrals.Forwarding;

/// <summary>
/// What a service receives: only what it needs to contact and support the victim (docs/referrals.md gives
/// each field's reason). No date of birth, no address, no officer, no other victim, no offence narrative.
/// </summary>
public sealed record ReferralDocument
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

    /// <summary>For a withdrawal: the referral it withdraws.</summary>
    public string? WithdrawsReferralId { get; init; }

    public OffenceDetails? Offence { get; init; }

    public DateOnly? RecordedDate { get; init; }

    public VictimDetails? Victim { get; init; }

    public ParentOrGuardianDetails? ParentOrGuardian { get; init; }

    public Pathway? Pathway { get; init; }

    public SupportAnswer? Consent { get; init; }

    public bool? EnhancedRights { get; init; }

    public DateOnly? DueBy { get; init; }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>A referral for the victim as the snapshot describes them now.</summary>
    public static ReferralDocument For(DeliveryKind kind, string serviceId, CrimeEvent snapshot, Contract.Victim victim, VictimDecision decision) => new()
    {
        Id = DeliveryId.For(kind, snapshot.Crime.Reference, victim.Id, serviceId),
        Kind = kind,
        Service = serviceId,
        CrimeReference = snapshot.Crime.Reference,
        Offence = new OffenceDetails(OffenceCode.Normalise(snapshot.Crime.Offence.HomeOfficeCode), snapshot.Crime.Offence.Description),
        RecordedDate = London.DateOf(snapshot.Crime.RecordedAt),
        Victim = new VictimDetails(
            victim.Id, victim.Title, victim.GivenName, victim.FamilyName,
            victim.Phone, victim.PhoneSafe == true, victim.Email, victim.EmailSafe == true,
            victim.PreferredLanguage, decision.IsChild),
        ParentOrGuardian = decision.IsChild && victim.ParentOrGuardian is { } parent
            ? new ParentOrGuardianDetails(parent.Name, parent.Email, parent.EmailSafe == true, parent.IsSuspect)
            : null,
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
        Service = serviceId,
        CrimeReference = crimeReference,
        WithdrawsReferralId = DeliveryId.For(DeliveryKind.Referral, crimeReference, victimId, serviceId),
    };

    /// <summary>The subject of a secure email: identifiers only, never a name.</summary>
    [JsonIgnore]
    public string Subject => Kind switch
    {
        DeliveryKind.Referral => $"Referral {Id} (crime {CrimeReference})",
        DeliveryKind.Withdrawal => $"Withdrawal of referral {WithdrawsReferralId} (crime {CrimeReference})",
        DeliveryKind.SingleSessionOffer => $"Single-session offer task {Id} (crime {CrimeReference})",
        _ => $"Consent-seeking task {Id} (crime {CrimeReference})",
    };

    /// <summary>The body of a secure email: the same fields as the JSON, one per line.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string label, object? value)
        {
            if (value is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"{label}: {value}\r\n");
            }
        }

        Line("Kind", Kind);
        Line("Id", Id);
        Line("Withdraws referral", WithdrawsReferralId);
        Line("Service", Service);
        Line("Crime reference", CrimeReference);
        Line("Offence", Offence is { } o ? $"{o.Code} {o.Description}".Trim() : null);
        Line("Recorded", RecordedDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Victim is { } v)
        {
            Line("Victim id", v.Id);
            Line("Name", string.Join(' ', new[] { v.Title, v.GivenName, v.FamilyName }.Where(p => !string.IsNullOrWhiteSpace(p))));
            Line("Phone", Contact(v.Phone, v.PhoneSafe));
            Line("Email", Contact(v.Email, v.EmailSafe));
            Line("Preferred language", v.PreferredLanguage);
            Line("Child", v.Child ? "yes" : null);
        }

        if (ParentOrGuardian is { } p)
        {
            Line("Parent or guardian", p.Name);
            Line("Parent or guardian email", Contact(p.Email, p.EmailSafe));
            Line("Parent or guardian may be a suspect", p.IsSuspect == false ? "no" : "yes or not recorded: do not contact them about the victim");
        }

        Line("Pathway", Pathway);
        Line("Consent", Consent);
        Line("Enhanced rights", EnhancedRights is { } e ? (e ? "yes" : "no") : null);
        Line("Due by", DueBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return text.ToString();

        static string? Contact(string? value, bool safe) =>
            value is null ? null : $"{value} ({(safe ? "safe to use" : "NOT confirmed safe: do not use")})";
    }
}

public sealed record OffenceDetails(string Code, string? Description);

public sealed record VictimDetails(
    string Id, string? Title, string? GivenName, string? FamilyName,
    string? Phone, bool PhoneSafe, string? Email, bool EmailSafe,
    string? PreferredLanguage, bool Child);

public sealed record ParentOrGuardianDetails(string? Name, string? Email, bool EmailSafe, bool? IsSuspect);
