using System.Globalization;
using Referrals.Contact;

namespace Referrals.LocalHost;

/// <summary>
/// The folder `referrals run` writes emails and deliveries to. It is taken only when it is new, empty, or an outbox
/// of an earlier run (it holds the marker file), so a mistyped path never costs a user's files. The marker is also the
/// manifest of what the last run wrote: each file is recorded in it before it is written, and the next run deletes
/// exactly those files and nothing else, so a user's own files beside them are left alone. A lock file with the
/// owner's process id keeps a second run out while the first is alive.
/// </summary>
public sealed class Outbox : IDisposable
{
    public const string MarkerName = ".referrals-outbox";
    public const string LockName = ".referrals-outbox.lock";
    public const string ServicesFolder = "services";
    public const string ServicesApiFolder = "services-api";
    public const string DirectoryFile = "services.local.json";
    public const string ReviewFolder = "review";

    private const string ManifestHeader =
        "# An outbox of `referrals run`. Each line below is a file the last run wrote here (relative path);\n"
        + "# the next run deletes exactly those files, and nothing else in this folder.\n";

    private readonly string _lock;
    private readonly string _marker;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _reviewNames = new(StringComparer.Ordinal);

    private Outbox(string path)
    {
        Path = path;
        _lock = System.IO.Path.Combine(path, LockName);
        _marker = System.IO.Path.Combine(path, MarkerName);
    }

    public string Path { get; }

    /// <summary>Takes the folder for this run, or throws <see cref="InvalidOperationException"/> with the reason, having touched nothing.</summary>
    public static Outbox Claim(string folder)
    {
        var path = System.IO.Path.GetFullPath(folder);
        if (File.Exists(path))
        {
            throw new InvalidOperationException($"the outbox {path} is a file, not a folder.");
        }

        if (Directory.Exists(path) && !IsOutbox(path))
        {
            throw new InvalidOperationException(
                $"the outbox {path} is not empty and is not an outbox of `referrals run` (no {MarkerName} in it): nothing was deleted. Choose a new or empty folder.");
        }

        Directory.CreateDirectory(path);
        var outbox = new Outbox(path);
        outbox.TakeLock();
        outbox.ClearWhatTheLastRunWrote();
        File.WriteAllText(outbox._marker, ManifestHeader);
        return outbox;
    }

    /// <summary>
    /// Records <paramref name="file"/> (in this outbox) in the manifest, before it is written: a run killed mid-write
    /// still leaves it listed, so the next run clears it. Returns its full path.
    /// </summary>
    public string Record(string file)
    {
        var full = System.IO.Path.GetFullPath(file, Path);
        var relative = Inside(full) ?? throw new ArgumentException($"{full} is not in the outbox {Path}.", nameof(file));
        lock (_gate)
        {
            File.AppendAllText(_marker, relative + "\n");
        }

        return full;
    }

    /// <summary>
    /// The recorded path of a message's review copy in <see cref="ReviewFolder"/>, named by crime, victim and channel
    /// (<see cref="Referrals.Messages.ReviewFiles"/>); a second message of the same channel in a run (a resend after a
    /// failure) gets "-2", and so on.
    /// </summary>
    public string Review(string crimeReference, string victimId, Channel channel)
    {
        var name = Referrals.Messages.ReviewFiles.Name(crimeReference, null, victimId, channel);
        var unique = name;
        lock (_gate)
        {
            for (var n = 2; !_reviewNames.Add(unique); n++)
            {
                unique = $"{System.IO.Path.GetFileNameWithoutExtension(name)}-{n}{System.IO.Path.GetExtension(name)}";
            }
        }

        Directory.CreateDirectory(System.IO.Path.Combine(Path, ReviewFolder));
        return Record(System.IO.Path.Combine(Path, ReviewFolder, unique));
    }

    public void Dispose()
    {
        try
        {
            if (ReadOwner(_lock) == Environment.ProcessId)
            {
                File.Delete(_lock);
            }
        }
        catch (IOException)
        {
            // Left behind, it names a process that is gone: the next run takes it over.
        }
    }

    // Only the marker makes a folder with anything in it an outbox: guessing from what files look like
    // (*.eml, services/) once took a user's own emails for a run's and deleted them.
    private static bool IsOutbox(string path) =>
        File.Exists(System.IO.Path.Combine(path, MarkerName)) || !Directory.EnumerateFileSystemEntries(path).Any();

    /// <summary>The path of <paramref name="full"/> relative to the outbox, with '/' separators; null when it is not strictly inside, or is the marker or the lock.</summary>
    private string? Inside(string full)
    {
        var relative = System.IO.Path.GetRelativePath(Path, full);
        if (relative == "." || System.IO.Path.IsPathRooted(relative) || relative == ".." || relative.StartsWith(".." + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative is MarkerName or LockName)
        {
            return null;
        }

        return relative.Replace(System.IO.Path.DirectorySeparatorChar, '/');
    }

    private void ClearWhatTheLastRunWrote()
    {
        if (!File.Exists(_marker))
        {
            return;
        }

        foreach (var line in File.ReadAllLines(_marker))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            // A hand-edited manifest cannot reach outside the outbox, nor delete a folder.
            var full = System.IO.Path.GetFullPath(line.Replace('/', System.IO.Path.DirectorySeparatorChar), Path);
            if (Inside(full) is not null && File.Exists(full))
            {
                File.Delete(full);
            }
        }
    }

    private void TakeLock()
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using var stream = new FileStream(_lock, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return;
            }
            catch (IOException) when (File.Exists(_lock))
            {
                var owner = ReadOwner(_lock);
                if (owner is { } pid && pid != Environment.ProcessId && Azurite.IsRunning(pid))
                {
                    throw new InvalidOperationException($"the outbox {Path} is in use by another `referrals run` (process {pid}); wait for it, or choose another --outbox.");
                }

                // The owner is gone (killed): its lock is stale.
                File.Delete(_lock);
            }
        }

        throw new InvalidOperationException($"the outbox {Path} could not be locked ({LockName}); is another run starting?");
    }

    private static int? ReadOwner(string lockFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(lockFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
