using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Referrals.Tallies;

/// <summary>
/// The tallies of a range of months: one row per month, one column per category, and a total; each month with when
/// it was last counted and whether it is provisional or final; figures below <paramref name="SuppressBelow"/> hidden
/// (<see cref="Suppression"/>). Aggregates only.
/// </summary>
/// <param name="Quarter">The financial quarter asked for (e.g. 2026-27-Q3), if the range is one: it names the total.</param>
public sealed class TallyReport(
    MonthRange range,
    IReadOnlyList<TallyCategory> categories,
    IReadOnlyDictionary<Month, IReadOnlyDictionary<string, long>> counts,
    IReadOnlyDictionary<Month, MonthStatus>? statuses = null,
    int suppressBelow = 0,
    string? quarter = null,
    string? force = null)
{
    private readonly Dictionary<Month, IReadOnlyDictionary<string, CellMark>> _marks = [];
    private readonly Dictionary<Month, IReadOnlyDictionary<string, CellMark>?> _quarters = [];

    /// <summary>The force whose figures these are (settings), named on every page, file and table; null where none is set.</summary>
    public string? Force { get; } = force;

    public MonthRange Range { get; } = range;

    public IReadOnlyList<TallyCategory> Categories { get; } = categories;

    public IReadOnlyDictionary<Month, IReadOnlyDictionary<string, long>> Counts { get; } = counts;

    public IReadOnlyDictionary<Month, MonthStatus>? Statuses { get; } = statuses;

    public int SuppressBelow { get; } = suppressBelow;

    /// <summary>The JSON name of a month's median working days to inform (the range's is <c>totalMedianWorkingDaysToInform</c>).</summary>
    public const string MedianKey = "medianWorkingDaysToInform";

    public const string TotalMedianKey = "totalMedianWorkingDaysToInform";

    public string? Quarter { get; } = quarter;

    /// <summary>The same figures, published: hiding figures below <paramref name="below"/> (0: none), and naming the quarter asked for.</summary>
    public TallyReport Publish(int below, string? quarterName, string? forceName = null) => new(Range, Categories, Counts, Statuses, below, quarterName, forceName ?? Force);

    public long this[Month month, string category] =>
        Counts.TryGetValue(month, out var counts) ? counts.GetValueOrDefault(category) : 0;

    public long Total(string category) => Range.Months().Sum(m => this[m, category]);

    /// <summary>
    /// Whether the month was counted (rulebook 1.2 section 12): a month not counted is shown blank, never 0, and so is
    /// every total over it. Without statuses (a report built by hand), a month is counted when it has counts.
    /// </summary>
    public bool IsCounted(Month month) => Statuses?.ContainsKey(month) ?? Counts.ContainsKey(month);

    /// <summary>Whether every month of the range was counted, so its totals can be given.</summary>
    public bool AllCounted => Range.Months().All(IsCounted);

    /// <summary>The financial quarter's three months that <paramref name="month"/> belongs to.</summary>
    public static MonthRange QuarterOf(Month month) => FinancialQuarter.TryParse(FinancialQuarter.Of(month), out _)!;

    /// <summary>Whether the range is exactly one financial quarter: its total is then the quarter's, marked with its months.</summary>
    public bool IsQuarter => QuarterOf(Range.From) is var q && q.From == Range.From && q.To == Range.To;

    public IReadOnlyList<TallyRate> Rates => TallyRates.For(Categories);

    /// <summary>The label of the total row: the quarter when one was asked for.</summary>
    public string TotalLabel => Quarter ?? "total";

    public MonthStatus? StatusOf(Month month) => Statuses?.GetValueOrDefault(month);

    public CellMark MarkOf(Month month, string category)
    {
        if (QuarterMarks(month) is { } joint)
        {
            return joint.GetValueOrDefault($"{MonthIndexInQuarter(month)}|{category}");
        }

        lock (_marks)
        {
            if (!_marks.TryGetValue(month, out var marks))
            {
                var counts = Categories.ToDictionary(c => c.Key, c => this[month, c.Key], StringComparer.Ordinal);
                _marks[month] = marks = Suppression.Month(counts, TallyCategories.Sums(Categories), SuppressBelow);
            }

            return marks.GetValueOrDefault(category);
        }
    }

    public CellMark TotalMarkOf(string category) =>
        IsQuarter && QuarterMarks(Range.From) is { } joint
            ? joint.GetValueOrDefault($"q|{category}")
            : Suppression.Total(Total(category), Range.Months().Select(m => MarkOf(m, category)), SuppressBelow);

    /// <summary>
    /// The marks of a quarter's months and total, decided together (<see cref="Suppression.Quarter"/>) once all three
    /// months are counted, so a small month hides another month's figure rather than the quarter; null before that
    /// (each month is then marked on its own, and the quarter's total is blank).
    /// </summary>
    private IReadOnlyDictionary<string, CellMark>? QuarterMarks(Month month)
    {
        if (SuppressBelow <= 0)
        {
            return null;
        }

        var quarter = QuarterOf(month);
        lock (_quarters)
        {
            if (!_quarters.TryGetValue(quarter.From, out var marks))
            {
                var months = quarter.Months().ToList();
                marks = _quarters[quarter.From] = months.All(IsCounted)
                    ? Suppression.Quarter([.. months.Select(m => (IReadOnlyDictionary<string, long>)Categories.ToDictionary(c => c.Key, c => this[m, c.Key], StringComparer.Ordinal))], TallyCategories.Sums(Categories), SuppressBelow)
                    : null;
            }

            return marks;
        }
    }

    private static int MonthIndexInQuarter(Month month) => (month.Number + 8) % 12 % 3;

    /// <summary>A figure as published: the number, or its suppression mark; blank for a month not counted.</summary>
    public string Show(Month month, string category) => IsCounted(month) ? Show(this[month, category], MarkOf(month, category)) : string.Empty;

    /// <summary>A total as published; blank when a month of the range was not counted.</summary>
    public string ShowTotal(string category) => AllCounted ? Show(Total(category), TotalMarkOf(category)) : string.Empty;

    /// <summary>A rate of a month (or of the range when <paramref name="month"/> is null): null when its denominator is 0, hidden when any figure in it is.</summary>
    public (double? Value, bool Hidden) RateOf(TallyRate rate, Month? month)
    {
        long Value(string key) => month is { } m ? this[m, key] : Total(key);
        CellMark Mark(string key) => month is { } m ? MarkOf(m, key) : TotalMarkOf(key);
        if (month is { } counted ? !IsCounted(counted) : !AllCounted)
        {
            return (null, false);
        }

        if (rate.Numerator.Concat(rate.Denominator).Any(k => Mark(k) != CellMark.Shown))
        {
            return (null, true);
        }

        var denominator = rate.Denominator.Sum(Value);
        return (denominator == 0 ? null : Math.Round((double)rate.Numerator.Sum(Value) / denominator, 4), false);
    }

    /// <summary>Whether the report has the buckets of the time to inform, so a median of them can be given.</summary>
    public bool HasTimeToInform => TallyCategories.InformedAfter.All(k => Categories.Any(c => c.Key == k));

    /// <summary>
    /// The median working days to inform (<see cref="MedianWorkingDays"/>) of a month, or of the range when
    /// <paramref name="month"/> is null: null when no victim is in a bucket; hidden, as a rate is, when any bucket is.
    /// </summary>
    public (MedianWorkingDays? Value, bool Hidden) MedianOf(Month? month) =>
        HasTimeToInform ? MedianOf(TallyCategories.InformedAfter, month) : (null, false);

    /// <summary>The median of a family of working-days buckets (<see cref="MedianWorkingDays"/>), as <see cref="MedianOf(Month?)"/>.</summary>
    public (MedianWorkingDays? Value, bool Hidden) MedianOf(IReadOnlyList<string> buckets, Month? month)
    {
        if (month is { } counted ? !IsCounted(counted) : !AllCounted)
        {
            return (null, false);
        }

        if (buckets.Any(k => (month is { } m ? MarkOf(m, k) : TotalMarkOf(k)) != CellMark.Shown))
        {
            return (null, true);
        }

        var values = buckets.Select(k => month is { } m ? this[m, k] : Total(k)).ToList();
        return SuppressBelow > 0 && values.Sum() is var total && total > 0 && total < SuppressBelow ? (null, true) : (MedianWorkingDays.Of(values), false);
    }

    /// <summary>The services with contract measures in this report (rulebook 1.2 section 11), in the directory's order.</summary>
    public IReadOnlyList<TallyCategory> ContractServices => [.. Categories.Where(c => c.Base == ContractMeasures.Delivered)];

    /// <summary>
    /// The median working days from delivery to the first attempt, of a service (null: all), for a month or the range
    /// (null), from the stored buckets (never published themselves): shown only over at least N referrals with an attempt
    /// when small counts are hidden; null when none was attempted or the month was not counted.
    /// </summary>
    public (MedianWorkingDays? Value, bool Hidden) FirstAttemptMedianOf(string? serviceId, Month? month)
    {
        if (month is { } counted ? !IsCounted(counted) : !AllCounted)
        {
            return (null, false);
        }

        var buckets = ContractMeasures.FirstAttemptAfter(serviceId).Select(k => month is { } m ? this[m, k] : Total(k)).ToList();
        return SuppressBelow > 0 && buckets.Sum() is var attempted && attempted > 0 && attempted < SuppressBelow ? (null, true) : (MedianWorkingDays.Of(buckets), false);
    }

    public const string FirstAttemptMedianKey = "medianWorkingDaysToFirstAttempt";

    public const string TotalFirstAttemptMedianKey = "totalMedianWorkingDaysToFirstAttempt";

    /// <summary>The kinds of Victim Care Unit task whose working days to done this report has (rulebook 1.2 section 12).</summary>
    public IReadOnlyList<Tasks.TaskKind> TaskKinds =>
        [.. Enum.GetValues<Tasks.TaskKind>().Where(k => Tasks.TaskFigures.DoneAfter(k).All(b => Categories.Any(c => c.Key == b)))];

    /// <summary>A median as published: its value ("6 or more" in the last bucket), <c>[c]</c> when hidden, "–" when there is none.</summary>
    public string ShowMedian(Month? month) => (month is { } m ? IsCounted(m) : AllCounted) ? Show(MedianOf(month)) : string.Empty;

    public string ShowMedian(IReadOnlyList<string> buckets, Month? month) => (month is { } m ? IsCounted(m) : AllCounted) ? Show(MedianOf(buckets, month)) : string.Empty;

    private static string Show((MedianWorkingDays? Value, bool Hidden) median) => median switch
    {
        (_, true) => "[c]",
        ({ } value, _) => value.ToString(),
        _ => "–",
    };

    /// <summary>The JSON name of a month's medians of working days to done, per kind of task (the range's is <c>totalMedianWorkingDaysToDone</c>).</summary>
    public const string TaskMedianKey = "medianWorkingDaysToDone";

    public const string TotalTaskMedianKey = "totalMedianWorkingDaysToDone";

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("from", Range.From.ToString());
            json.WriteString("to", Range.To.ToString());
            if (Quarter is not null)
            {
                json.WriteString("quarter", Quarter);
            }

            if (Force is not null)
            {
                json.WriteString("force", Force);
            }

            if (SuppressBelow > 0)
            {
                json.WriteNumber("suppressBelow", SuppressBelow);
            }

            json.WriteStartArray("categories");
            foreach (var category in Categories)
            {
                json.WriteStartObject();
                json.WriteString("key", category.Key);
                json.WriteString("name", category.Name);
                json.WriteString("definition", category.Definition);
                json.WriteString("group", category.Group);
                json.WriteString("figure", category.Figure);
                if (category.Service is not null)
                {
                    json.WriteString("service", category.Service);
                }

                if (category.CannotSee is not null)
                {
                    json.WriteString("cannotSee", category.CannotSee);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("rates");
            foreach (var rate in Rates)
            {
                json.WriteStartObject();
                json.WriteString("key", rate.Key);
                json.WriteString("name", rate.Name);
                json.WriteString("definition", rate.Definition);
                WriteKeys(json, "numerator", rate.Numerator);
                WriteKeys(json, "denominator", rate.Denominator);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("months");
            foreach (var month in Range.Months())
            {
                json.WriteStartObject();
                json.WriteString("month", month.ToString());
                WriteStatus(json, StatusOf(month));
                WriteCounts(json, "counts", c => this[month, c], c => MarkOf(month, c), IsCounted(month));
                WriteRates(json, month);
                WriteMedian(json, MedianKey, month);
                WriteTaskMedians(json, TaskMedianKey, month);
                WriteFirstAttemptMedians(json, FirstAttemptMedianKey, month);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteCounts(json, "total", Total, TotalMarkOf, AllCounted);
            json.WritePropertyName("totalRates");
            json.WriteStartObject();
            foreach (var rate in Rates)
            {
                WriteRate(json, rate, null);
            }

            json.WriteEndObject();
            WriteMedian(json, TotalMedianKey, null);
            WriteTaskMedians(json, TotalTaskMedianKey, null);
            WriteFirstAttemptMedians(json, TotalFirstAttemptMedianKey, null);
            json.WriteEndObject();
        }

        return buffer.ToArray();

        void WriteFirstAttemptMedians(Utf8JsonWriter json, string name, Month? month)
        {
            if (ContractServices.Count == 0)
            {
                return;
            }

            json.WriteStartObject(name);
            WriteMedianValue(json, "all", FirstAttemptMedianOf(null, month));
            foreach (var service in ContractServices)
            {
                WriteMedianValue(json, service.Service!, FirstAttemptMedianOf(service.Service, month));
            }

            json.WriteEndObject();
        }

        void WriteTaskMedians(Utf8JsonWriter json, string name, Month? month)
        {
            if (TaskKinds.Count == 0)
            {
                return;
            }

            json.WriteStartObject(name);
            foreach (var kind in TaskKinds)
            {
                WriteMedianValue(json, kind.ToString(), MedianOf(Tasks.TaskFigures.DoneAfter(kind), month));
            }

            json.WriteEndObject();
        }

        void WriteMedian(Utf8JsonWriter json, string name, Month? month)
        {
            if (HasTimeToInform)
            {
                WriteMedianValue(json, name, MedianOf(month));
            }
        }

        static void WriteMedianValue(Utf8JsonWriter json, string name, (MedianWorkingDays? Value, bool Hidden) value)
        {
            switch (value)
            {
                case (_, true):
                    json.WriteString(name, "[c]");
                    break;
                case ({ OrMore: false } median, _):
                    json.WriteNumber(name, median.Days);
                    break;
                case ({ } median, _):
                    json.WriteString(name, median.ToString());
                    break;
                default:
                    json.WriteNull(name);
                    break;
            }
        }

        void WriteCounts(Utf8JsonWriter json, string name, Func<string, long> count, Func<string, CellMark> mark, bool counted)
        {
            json.WriteStartObject(name);
            foreach (var category in Categories)
            {
                if (!counted)
                {
                    json.WriteNull(category.Key); // Not counted: blank, never 0.
                }
                else if (mark(category.Key) is var m && m == CellMark.Shown)
                {
                    json.WriteNumber(category.Key, count(category.Key));
                }
                else
                {
                    json.WriteString(category.Key, Suppression.Display(m, SuppressBelow));
                }
            }

            json.WriteEndObject();
        }

        void WriteRates(Utf8JsonWriter json, Month month)
        {
            json.WriteStartObject("rates");
            foreach (var rate in Rates)
            {
                WriteRate(json, rate, month);
            }

            json.WriteEndObject();
        }

        void WriteRate(Utf8JsonWriter json, TallyRate rate, Month? month)
        {
            switch (RateOf(rate, month))
            {
                case (_, true):
                    json.WriteString(rate.Key, "[c]");
                    break;
                case ({ } value, _):
                    json.WriteNumber(rate.Key, value);
                    break;
                default:
                    json.WriteNull(rate.Key);
                    break;
            }
        }
    }

    /// <summary>Wide RFC 4180 CSV, UTF-8 with a byte order mark and CRLF, so Excel opens it with the right characters and columns: a row per month, a column per category, then the month's status and when it was counted.</summary>
    public byte[] ToCsv()
    {
        var csv = new StringBuilder();
        var medians = FirstAttemptMedianColumns;
        Row(csv, ["Month", .. Categories.Select(c => c.Name), .. medians.Select(m => m.Name), "Status", "Counted at"]);
        foreach (var month in Range.Months())
        {
            var status = StatusOf(month);
            Row(csv, [month.ToString(), .. Categories.Select(c => Show(month, c.Key)), .. medians.Select(m => ShowFirstAttemptMedian(m.Service, month)), status?.State ?? "not counted", CountedAt(status)]);
        }

        Row(csv, [TotalLabel, .. Categories.Select(c => ShowTotal(c.Key)), .. medians.Select(m => ShowFirstAttemptMedian(m.Service, null)), RangeState, string.Empty]);
        return Bytes(csv);
    }

    /// <summary>
    /// Long RFC 4180 CSV for Power BI: <c>month,category,service,value</c> (a per-service figure has its service, others an
    /// empty one), then the month's <c>status</c> and <c>counted_at</c>; the range's totals under the month <see cref="TotalLabel"/>.
    /// </summary>
    public byte[] ToLongCsv()
    {
        var csv = new StringBuilder();
        Row(csv, ["month", "category", "service", "value", "status", "counted_at"]);
        foreach (var month in Range.Months())
        {
            var status = StatusOf(month);
            foreach (var category in Categories)
            {
                Row(csv, [month.ToString(), category.Figure, category.Service ?? string.Empty, Show(month, category.Key), status?.State ?? "not counted", CountedAt(status)]);
            }

            foreach (var median in FirstAttemptMedianColumns)
            {
                Row(csv, [month.ToString(), FirstAttemptMedianFigure, median.Service ?? string.Empty, ShowFirstAttemptMedian(median.Service, month), status?.State ?? "not counted", CountedAt(status)]);
            }
        }

        foreach (var category in Categories)
        {
            Row(csv, [TotalLabel, category.Figure, category.Service ?? string.Empty, ShowTotal(category.Key), RangeState, string.Empty]);
        }

        foreach (var median in FirstAttemptMedianColumns)
        {
            Row(csv, [TotalLabel, FirstAttemptMedianFigure, median.Service ?? string.Empty, ShowFirstAttemptMedian(median.Service, null), RangeState, string.Empty]);
        }

        return Bytes(csv);
    }

    /// <summary>The long CSV's figure of the median working days to the first attempt.</summary>
    public const string FirstAttemptMedianFigure = "Contract.MedianWorkingDaysToFirstAttempt";

    /// <summary>The total row's state: final when every month is, not counted when one is not, else provisional.</summary>
    private string RangeState => !AllCounted ? "not counted" : Range.Months().All(m => StatusOf(m)?.Final == true) ? "final" : "provisional";

    /// <summary>The medians of the working days to the first attempt: all services, then each, as columns (none without contract measures).</summary>
    private IReadOnlyList<(string? Service, string Name)> FirstAttemptMedianColumns => ContractServices.Count == 0 ? [] :
        [(null, "Median working days to first attempt: all services"), .. ContractServices.Select(c => (c.Service, $"Median working days to first attempt: {c.Name[(c.Name.IndexOf(':', StringComparison.Ordinal) + 2)..]}"))];

    /// <summary>A median of the working days to the first attempt as published: blank when the month was not counted.</summary>
    public string ShowFirstAttemptMedian(string? serviceId, Month? month) =>
        (month is { } m ? IsCounted(m) : AllCounted) ? Show(FirstAttemptMedianOf(serviceId, month)) : string.Empty;

    /// <summary>
    /// For a terminal, the same way round as the CSV: a row per month and the total, a column per figure; one table per
    /// group of figures (and per-service figures in a table each), so each fits a screen.
    /// </summary>
    public string ToText()
    {
        var text = new StringBuilder();
        var months = Range.Months().ToList();
        if (Force is not null)
        {
            text.Append(Force).Append('\n');
        }

        text.Append("Month     Status       As at (UTC: when counted)\n");
        foreach (var month in months)
        {
            var status = StatusOf(month);
            var revised = status is { Revisions: > 0 } ? $"  revised {status.Revisions}x, last {status.RevisedAt:yyyy-MM-dd HH:mm}" : string.Empty;
            text.Append(CultureInfo.InvariantCulture, $"{month}   {status?.State ?? "not counted",-11}  {(status is null ? "-" : status.CountedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))}{revised}\n");
        }

        foreach (var table in Categories.GroupBy(c => c.Base is { } figure ? $"{Categories.FirstOrDefault(k => k.Key == figure)?.Name ?? figure} by service" : c.Group))
        {
            var columns = table.Select(c => (c.Key, Header: c.Base is null ? c.Name : c.Service!)).ToList();
            var widths = columns.Select(c => Math.Max(c.Header.Length, 6)).ToList();
            text.Append('\n').Append(table.Key).Append('\n');
            text.Append("Month    ").Append(string.Join("  ", columns.Select((c, i) => c.Header.PadLeft(widths[i])))).Append('\n');
            foreach (var (label, show) in months.Select(m => (m.ToString(), (Func<string, string>)(k => Show(m, k)))).Append((TotalLabel, ShowTotal)))
            {
                text.Append(label.PadRight(9)).Append(string.Join("  ", columns.Select((c, i) => show(c.Key).PadLeft(widths[i])))).Append('\n');
            }

            if (table.Key == TallyGroups.TimeToInform && HasTimeToInform)
            {
                text.Append("\nMedian working days to inform (the fewest within which at least half were informed)\nMonth       Median\n");
                foreach (var (label, month) in months.Select(m => (m.ToString(), (Month?)m)).Append((TotalLabel, null)))
                {
                    text.Append(label.PadRight(9)).Append(ShowMedian(month).PadLeft(9)).Append('\n');
                }
            }

            if (table.Key == TallyGroups.Contract && FirstAttemptMedianColumns is { Count: > 0 } medians)
            {
                text.Append("\nMedian working days from delivery to the first attempt (over at least N referrals when small counts are hidden)\nMonth    ")
                    .Append(string.Join("  ", medians.Select(m => (m.Service ?? "all").PadLeft(9)))).Append('\n');
                foreach (var (label, month) in months.Select(m => (m.ToString(), (Month?)m)).Append((TotalLabel, null)))
                {
                    text.Append(label.PadRight(9)).Append(string.Join("  ", medians.Select(m => ShowFirstAttemptMedian(m.Service, month).PadLeft(9)))).Append('\n');
                }
            }

            foreach (var kind in TaskKinds.Where(k => table.Key == $"{TallyGroups.Tasks}: {k}, working days to done"))
            {
                text.Append(CultureInfo.InvariantCulture, $"\nMedian working days to done, {kind} (the fewest within which at least half were done)\nMonth       Median\n");
                foreach (var (label, month) in months.Select(m => (m.ToString(), (Month?)m)).Append((TotalLabel, null)))
                {
                    text.Append(label.PadRight(9)).Append(ShowMedian(Tasks.TaskFigures.DoneAfter(kind), month).PadLeft(9)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private string Show(long value, CellMark mark) =>
        mark == CellMark.Shown ? value.ToString(CultureInfo.InvariantCulture) : Suppression.Display(mark, SuppressBelow);

    private static string CountedAt(MonthStatus? status) =>
        status?.CountedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty;

    private static void WriteKeys(Utf8JsonWriter json, string name, IEnumerable<string> keys)
    {
        json.WriteStartArray(name);
        foreach (var key in keys)
        {
            json.WriteStringValue(key);
        }

        json.WriteEndArray();
    }

    private static void WriteStatus(Utf8JsonWriter json, MonthStatus? status)
    {
        json.WriteString("status", status?.State ?? "not counted");
        if (status is null)
        {
            json.WriteNull("countedAt");
            return;
        }

        json.WriteString("countedAt", status.CountedAt);
        json.WriteNumber("revisions", status.Revisions);
        if (status.RevisedAt is { } revisedAt)
        {
            json.WriteString("revisedAt", revisedAt);
            WriteKeys(json, "revised", status.Revised ?? []);
        }
    }

    private static void Row(StringBuilder csv, IEnumerable<string> fields) => CsvRow(csv, fields);

    /// <summary>One CSV record, spreadsheet-safe (<see cref="Quote"/>), ended by CRLF.</summary>
    public static void CsvRow(StringBuilder csv, IEnumerable<string> fields) => csv.Append(string.Join(',', fields.Select(Quote))).Append("\r\n");

    private static byte[] Bytes(StringBuilder csv) => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];

    /// <summary>
    /// Spreadsheet-safe: quoted when needed, and a leading =, +, - or @ is neutralised so Excel never runs it as a formula.
    /// A suppression mark (<c>&lt;5</c>, <c>[c]</c>) is text, never a formula.
    /// </summary>
    private static string Quote(string field)
    {
        if (field.Length > 0 && "=+-@".Contains(field[0], StringComparison.Ordinal))
        {
            field = "'" + field;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }
}
