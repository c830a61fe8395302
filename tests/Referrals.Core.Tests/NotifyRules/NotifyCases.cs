using System.Text.Json;

namespace Referrals.Tests.NotifyRules;

/// <summary>
/// The tables of cases in this folder: GOV.UK Notify's answers (from its own tests, each row naming the test, plus
/// hostile ones of ours), kept as data (JSON with a header comment naming the source repository, path and commit).
/// </summary>
public static class NotifyCases
{
    private static readonly JsonSerializerOptions Options = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        PropertyNameCaseInsensitive = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static IReadOnlyList<T> Load<T>(string file) =>
        JsonSerializer.Deserialize<List<T>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "NotifyRules", file)), Options)
        ?? throw new InvalidDataException($"{file} is empty");

    /// <summary>Rows as xunit theory data: each row's index, so a failure names the row and the row is read once.</summary>
    public static TheoryData<int> Rows<T>(string file)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Load<T>(file).Count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
