using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Referrals.Tallies;

/// <summary>The tallies of a range of months: one row per month, one column per category, and a total. Aggregates only.</summary>
public sealed record TallyReport(MonthRange Range, IReadOnlyList<TallyCategory> Categories, IReadOnlyDictionary<Month, IReadOnlyDictionary<string, long>> Counts)
{
    public long this[Month month, string category] =>
        Counts.TryGetValue(month, out var counts) ? counts.GetValueOrDefault(category) : 0;

    public long Total(string category) => Range.Months().Sum(m => this[m, category]);

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("from", Range.From.ToString());
            json.WriteString("to", Range.To.ToString());
            json.WriteStartArray("categories");
            foreach (var category in Categories)
            {
                json.WriteStartObject();
                json.WriteString("key", category.Key);
                json.WriteString("name", category.Name);
                json.WriteString("definition", category.Definition);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("months");
            foreach (var month in Range.Months())
            {
                json.WriteStartObject();
                json.WriteString("month", month.ToString());
                WriteCounts(json, "counts", c => this[month, c]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteCounts(json, "total", Total);
            json.WriteEndObject();
        }

        return buffer.ToArray();

        void WriteCounts(Utf8JsonWriter json, string name, Func<string, long> count)
        {
            json.WriteStartObject(name);
            foreach (var category in Categories)
            {
                json.WriteNumber(category.Key, count(category.Key));
            }

            json.WriteEndObject();
        }
    }

    /// <summary>RFC 4180 CSV with a UTF-8 byte order mark and CRLF, so Excel opens it with the right characters and columns.</summary>
    public byte[] ToCsv()
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(',', Categories.Select(c => Quote(c.Name)).Prepend("Month"))).Append("\r\n");
        foreach (var month in Range.Months())
        {
            csv.Append(string.Join(',', Categories.Select(c => this[month, c.Key].ToString(CultureInfo.InvariantCulture)).Prepend(month.ToString()))).Append("\r\n");
        }

        csv.Append(string.Join(',', Categories.Select(c => Total(c.Key).ToString(CultureInfo.InvariantCulture)).Prepend("total"))).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    /// <summary>For a terminal: categories down the side (there are many), months across, then the total.</summary>
    public string ToText()
    {
        var months = Range.Months().ToList();
        var nameWidth = Categories.Max(c => c.Name.Length);
        var text = new StringBuilder();
        text.Append("Category".PadRight(nameWidth));
        months.ForEach(m => text.Append(CultureInfo.InvariantCulture, $"  {m,8}"));
        text.Append("     total\n");
        foreach (var category in Categories)
        {
            text.Append(category.Name.PadRight(nameWidth));
            months.ForEach(m => text.Append(CultureInfo.InvariantCulture, $"  {this[m, category.Key],8}"));
            text.Append(CultureInfo.InvariantCulture, $"  {Total(category.Key),8}\n");
        }

        return text.ToString();
    }

    /// <summary>Spreadsheet-safe: quoted when needed, and a leading =, +, - or @ is neutralised so Excel never runs it as a formula.</summary>
    private static string Quote(string field)
    {
        if (field.Length > 0 && "=+-@".Contains(field[0], StringComparison.Ordinal))
        {
            field = "'" + field;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }
}
