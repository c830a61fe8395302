using Azure;

namespace Referrals.Pipeline.Storage;

/// <summary>
/// A state as read from its row, with the row's ETag: every write of it is checked against that ETag. A victim's row
/// also holds its copy of the crime's latest snapshot, carried along so that a write of the state keeps it.
/// </summary>
public sealed record Stored<T>(T State, ETag ETag, SnapshotCopy? Copy = null);
