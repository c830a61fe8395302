using System.Globalization;
using BenchmarkDotNet.Running;
using Referrals.Benchmarks;

// `generate N FILE` writes N synthetic snapshots (for the memory check on a large file); anything else runs BenchmarkDotNet.
if (args is ["generate", var count, var path])
{
    SyntheticSnapshots.WriteFile(path, int.Parse(count, CultureInfo.InvariantCulture));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(RulesBenchmarks).Assembly).Run(args);
return 0;
