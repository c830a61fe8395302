namespace Referrals.Pipeline.Ingest;

public enum IngestOutcome
{
    Applied,
    Stale,
    Rejected,
    DeadLettered,
}
