using System.Globalization;

namespace Referrals.LocalHost;

/// <summary>
/// The folder `referrals run` writes emails and deliveries to. It is taken only when it is new, empty, or an outbox
/// of an earlier run (the marker file, or nothing but what a run writes), so a mistyped path never costs a user's
/// files; only the files a run writes are cleared; and a lock file with the owner's process id keeps a second run
/// out while the first is alive.
/// </summary>
public sealed class Outbox : IDisposable
{
    public const string MarkerName = ".referrals-outbox";
    public const string LockName = ".referrals-outbox.lock";
    public const string ServicesFolder = "services";
    public const string ServicesApiFolder = "services-api";
    public const string DirectoryFile = "services.local.json";

    private readonly string _lock;

    private Outbox(string path)
    {
        Path = path;
        _lock = System.IO.Path.Combine(path, LockName);
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
        File.WriteAllText(System.IO.Path.Combine(path, MarkerName), "An outbox of `referrals run`: a run clears the .eml and .json files it wrote here.\n");
        outbox.ClearWhatARunWrote();
        return outbox;
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

    private static bool IsOutbox(string path) =>
        File.Exists(System.IO.Path.Combine(path, MarkerName))
        || Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories).All(entry => IsWrittenByARun(path, entry) || Directory.Exists(entry) && IsRunFolder(path, entry));

    private static bool IsRunFolder(string root, string folder) =>
        System.IO.Path.GetRelativePath(root, folder) is ServicesFolder or ServicesApiFolder;

    /// <summary>What a run writes: emails at the top and in services/, API deliveries in services-api/, the local directory.</summary>
    private static bool IsWrittenByARun(string root, string file)
    {
        var relative = System.IO.Path.GetRelativePath(root, file);
        var folder = System.IO.Path.GetDirectoryName(relative) ?? string.Empty;
        var extension = System.IO.Path.GetExtension(relative);
        return relative == DirectoryFile
            || (folder is "" or ServicesFolder && extension == ".eml")
            || (folder == ServicesApiFolder && extension == ".json");
    }

    private void ClearWhatARunWrote()
    {
        foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories).Where(f => IsWrittenByARun(Path, f)).ToList())
        {
            File.Delete(file);
        }

        foreach (var folder in new[] { ServicesFolder, ServicesApiFolder }.Select(f => System.IO.Path.Combine(Path, f)))
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
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
