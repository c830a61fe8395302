namespace Referrals.Forwarding;

/// <summary>What a delivery sends: to a service's API as JSON (with <see cref="Id"/> as the Idempotency-Key), or to its secure mailbox as text.</summary>
public interface IDeliveryDocument
{
    /// <summary>The delivery id (<see cref="DeliveryId"/>).</summary>
    string Id { get; }

    DeliveryKind Kind { get; }

    /// <summary>The service (or the Victim Care Unit) it goes to.</summary>
    string Service { get; }

    string CrimeReference { get; }

    /// <summary>The victim id a secure email carries in its custom arguments (never in its subject); null for none.</summary>
    string? VictimId { get; }

    /// <summary>The subject of a secure email: identifiers only, never a name.</summary>
    string Subject { get; }

    /// <summary>The body of a secure email: one field a line, each line a fixed label and one value.</summary>
    string ToText();

    byte[] ToJsonBytes();
}
