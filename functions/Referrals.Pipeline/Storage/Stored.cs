using Azure;

namespace Referrals.Pipeline.Storage;

/// <summary>A state as read from its row, with the row's ETag: every write of it is checked against that ETag.</summary>
public sealed record Stored<T>(T State, ETag ETag);
