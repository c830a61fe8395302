using System.Text;
using BenchmarkDotNet.Attributes;
using Referrals.Calendar;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Rules;

namespace Referrals.Benchmarks;

/// <summary>Per snapshot: parse + validate + decide, and composing the email.</summary>
[MemoryDiagnoser]
public class RulesBenchmarks
{
    private readonly ReferralRules _rules = new(new OffenceClassifier(OffenceCodeList.LoadDefault()), ServiceDirectory.LoadDefault(), new WorkingDayCalendar());
    private readonly EntitlementEmailComposer _composer = new(EmailTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), Referrals.Messages.ForceIdentity.Example);
    private byte[] _oneVictim = [];
    private byte[] _twoVictims = [];
    private CrimeEvent _snapshot = null!;

    [GlobalSetup]
    public void Setup()
    {
        _oneVictim = Encoding.UTF8.GetBytes(SyntheticSnapshots.Line(1));
        _twoVictims = Encoding.UTF8.GetBytes(SyntheticSnapshots.Line(5));
        _snapshot = CrimeEventParser.Parse(_oneVictim).Snapshot!;
    }

    [Benchmark(Baseline = true, Description = "parse + validate + decide, 1 victim")]
    public int DecideOneVictim() => _rules.Decide(CrimeEventParser.Parse(_oneVictim).Snapshot!).Count;

    [Benchmark(Description = "parse + validate + decide, 2 victims")]
    public int DecideTwoVictims() => _rules.Decide(CrimeEventParser.Parse(_twoVictims).Snapshot!).Count;

    [Benchmark(Description = "parse + validate only")]
    public bool ParseOnly() => CrimeEventParser.Parse(_oneVictim).IsValid;

    [Benchmark(Description = "compose entitlement email")]
    public int ComposeEmail()
    {
        var decision = _rules.Decide(_snapshot)[0];
        return _composer.Compose(_snapshot, _snapshot.Victims[0], decision)?.HtmlBody.Length ?? 0;
    }
}
