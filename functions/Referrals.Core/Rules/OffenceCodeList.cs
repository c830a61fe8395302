using System.Globalization;

namespace Referrals.Rules;

public sealed record OffenceCodeEntry(string Code, string Label, string Group);

/// <summary>
/// The notifiable offence codes the force recognises (Home Office / ONS offence hierarchy), loaded from a
/// CSV file with the header <c>code,label,group</c>. A force extends the file; it is not compiled in.
/// </summary>
public sealed class OffenceCodeList
{
    public const string DefaultFileName = "Rules/offence-codes.csv";

    private readonly Dictionary<string, OffenceCodeEntry> _entries;

    public OffenceCodeList(IEnumerable<OffenceCodeEntry> entries)
    {
        _entries = new Dictionary<string, OffenceCodeEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var code = OffenceCode.Normalise(entry.Code);
            if (!_entries.TryAdd(code, entry with { Code = code }))
            {
                throw new InvalidDataException($"offence code '{code}' is listed more than once.");
            }
        }
    }

    public OffenceCodeEntry? Find(string normalisedCode) =>
        _entries.GetValueOrDefault(normalisedCode);

    public static OffenceCodeList LoadDefault() =>
        Load(Path.Combine(AppContext.BaseDirectory, DefaultFileName));

    public static OffenceCodeList Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The offence code list was not found at '{path}'.", path);
        }

        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    public static OffenceCodeList Parse(TextReader reader, string source)
    {
        var header = reader.ReadLine();
        if (header is null || !string.Equals(header.Trim(), "code,label,group", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{source}: the first line must be the header 'code,label,group'.");
        }

        var entries = new List<OffenceCodeEntry>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = Csv.SplitLine(line);
            if (fields.Count != 3 || fields.Any(string.IsNullOrWhiteSpace))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: line {lineNumber} must have three non-empty fields: code, label and group."));
            }

            entries.Add(new OffenceCodeEntry(fields[0], fields[1].Trim(), fields[2].Trim()));
        }

        try
        {
            return new OffenceCodeList(entries);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source}: {ex.Message}", ex);
        }
    }
}
