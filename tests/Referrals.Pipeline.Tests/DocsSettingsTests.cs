using System.Text.RegularExpressions;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Issue 30: docs/operations.md ("Settings") names every setting the app reads, found from its code
/// (<see cref="AppSettingsCatalog"/>), so a new setting without its line fails here. A setting per service
/// (<c>Outcomes__Services__general__Secret</c>) is named once with <c>&lt;id&gt;</c> in place of the service.
/// </summary>
public sealed partial class DocsSettingsTests
{
    [Fact]
    public void The_operations_page_names_every_setting_the_app_reads()
    {
        var docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "operations.md"));
        var settings = AppSettingsCatalog.SettingsTheAppReads().Concat(AppSettingsCatalog.HostSettings).Concat(AppSettingsCatalog.PlatformSettings).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("Rules__MessageTemplatesPath", settings);
        Assert.Contains("Outcomes__Services__general__Secret", settings);
        var missing = settings.Where(s => !docs.Contains($"`{AsDocumented(s)}`", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"docs/operations.md (\"Settings\") does not name: {string.Join(", ", missing)}");
    }

    [Fact]
    public void A_setting_per_service_is_named_with_the_service_id_as_a_placeholder() =>
        Assert.Equal("Outcomes__Services__<id>__NextSecret", AsDocumented("Outcomes__Services__idva__NextSecret"));

    private static string AsDocumented(string setting) => PerService().Replace(setting, "Outcomes__Services__<id>__");

    [GeneratedRegex("^Outcomes__Services__[^_]+__")]
    private static partial Regex PerService();
}
