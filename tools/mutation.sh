#!/usr/bin/env bash
# Mutation testing of the pure core: Stryker.NET (pinned in .config/dotnet-tools.json) mutates
# functions/Referrals.Core and runs tests/Referrals.Core.Tests against every mutant. Too slow for
# .ci/run (about 20 minutes for Rules and Calendar on 2 cores), so it is run by hand: see docs/testing.md.
#
#   tools/mutation.sh                        Rules, Calendar, State and Contact (a missing folder is skipped)
#   tools/mutation.sh Rules                  one folder
#   tools/mutation.sh Rules/EmailAddress.cs  one file, while killing its survivors
#
# Prints the score overall and per folder, and every surviving or uncovered mutant; exits 1 when the
# overall score or a folder's is below MUTATION_THRESHOLD (default 85). MUTATION_CONCURRENCY (default 1)
# is the number of test runners; MUTATION_TEST_FILTER (a `dotnet test --filter` expression) runs only some
# tests against each mutant, to iterate faster on one file (never for the figures). Reports (HTML and JSON) go to artifacts/mutation/reports (git-ignored).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
core="$root/functions/Referrals.Core"
out="$root/artifacts/mutation"
threshold="${MUTATION_THRESHOLD:-85}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(Rules Calendar State Contact)
fi

mutate=()
for target in "${targets[@]}"; do
  target="${target#functions/Referrals.Core/}"
  target="${target%/}"
  if [ -d "$core/$target" ]; then
    mutate+=(--mutate "**/Referrals.Core/$target/**/*.cs")
  elif [ -f "$core/$target" ]; then
    mutate+=(--mutate "**/Referrals.Core/$target")
  else
    echo "mutation: functions/Referrals.Core/$target does not exist; skipped." >&2
  fi
done
if [ ${#mutate[@]} -eq 0 ]; then
  echo "mutation: nothing to mutate." >&2
  exit 2
fi

cd "$root"
dotnet tool restore >/dev/null
filter=()
if [ -n "${MUTATION_TEST_FILTER:-}" ]; then
  filter=(--test-case-filter "$MUTATION_TEST_FILTER")
fi
rm -rf "$out"
started=$SECONDS
(cd tests/Referrals.Core.Tests && dotnet stryker --config-file stryker-config.json --skip-version-check \
  --concurrency "${MUTATION_CONCURRENCY:-1}" --output "$out" "${filter[@]}" "${mutate[@]}")
elapsed=$((SECONDS - started))

python3 - "$out/reports/mutation-report.json" "$threshold" "$elapsed" <<'PY'
import json, sys
from collections import Counter, defaultdict

report_path, threshold, elapsed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
report = json.load(open(report_path, encoding="utf-8"))
counts = defaultdict(Counter)
left = []
for path, file in report["files"].items():
    relative = path.replace("\\", "/").split("Referrals.Core/", 1)[-1]
    folder = relative.split("/", 1)[0] if "/" in relative else "."
    for mutant in file["mutants"]:
        counts[folder][mutant["status"]] += 1
        if mutant["status"] in ("Survived", "NoCoverage"):
            line = mutant["location"]["start"]["line"]
            left.append((relative, line, f"  {mutant['status']:<10} {relative}:{line}  {mutant['mutatorName']}: {mutant.get('replacement', '').strip()[:80]}"))

def score(c):
    detected = c["Killed"] + c["Timeout"]
    valid = detected + c["Survived"] + c["NoCoverage"]
    return 100.0 * detected / valid if valid else 100.0

print(f"\nMutation score (threshold {threshold:g}%), {elapsed // 60} min {elapsed % 60} s:")
print(f"  {'folder':<10} {'score':>7} {'killed':>7} {'timeout':>8} {'survived':>9} {'no cover':>9} {'ignored':>8}")
failed = False
# Files outside the folders asked for appear with every mutant ignored: they have no score.
tested = [(name, c) for name, c in sorted(counts.items()) if c["Killed"] + c["Timeout"] + c["Survived"] + c["NoCoverage"] > 0]
total = sum((c for _, c in tested), Counter())
for name, c in tested + [("overall", total)]:
    s = score(c)
    failed |= s < threshold
    print(f"  {name:<10} {s:6.1f}% {c['Killed']:>7} {c['Timeout']:>8} {c['Survived']:>9} {c['NoCoverage']:>9} {c['Ignored']:>8}")
if left:
    print("\nSurviving and uncovered mutants:")
    print("\n".join(text for _, _, text in sorted(left)))
print(f"\nReport: {report_path.rsplit('/', 1)[0]}/mutation-report.html")
sys.exit(1 if failed else 0)
PY
