using BenchmarkDotNet.Attributes;
using MimeKit;
using Referrals.Calendar;
using Referrals.Cli;
using Referrals.Emails;
using Referrals.Rules;

namespace Referrals.Benchmarks;

/// <summary>The `decide` dry run over a generated JSON Lines file, output discarded.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class DecideFileBenchmarks
{
    private string _path = string.Empty;
    private DryRun _dryRun = null!;

    [Params(100_000)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"referrals-bench-{Lines}.jsonl");
        SyntheticSnapshots.WriteFile(_path, Lines);
        var directory = ServiceDirectory.LoadDefault();
        var rules = new ReferralRules(new OffenceClassifier(OffenceCodeList.LoadDefault()), directory, new WorkingDayCalendar());
        _dryRun = new DryRun(rules, new EntitlementEmailComposer(EmailTemplates.LoadDefault(), directory, Referrals.Messages.ForceIdentity.Example), MailboxAddress.Parse("vcu@police.example"));
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Description = "referrals decide FILE > /dev/null")]
    public async Task<long> DecideFile()
    {
        await using var input = File.OpenRead(_path);
        var summary = await _dryRun.RunAsync(input, Stream.Null, emailsFolder: null, CancellationToken.None);
        return summary.Victims;
    }
}
