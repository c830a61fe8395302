using System.Reflection;
using System.Text.RegularExpressions;
using Referrals.Contract;

namespace Referrals.Pipeline.Logging;

/// <summary>
/// What a log line may say about a refused snapshot: the fields its reason names, and nothing else. A reason
/// can quote a value (and a value can look like anything), so only path segments that are field names of the
/// contract are kept; the full reason stays in the dead-letter row, where an operator reads it.
/// </summary>
public static partial class RefusalFields
{
    private static readonly HashSet<string> Names = [.. FieldNames(typeof(CrimeEvent), []), "message"];

    public static string Of(string reason)
    {
        var fields = reason.Split("; ")
            .Select(part => KnownPath(Path().Match(part).Value))
            .Where(path => path.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return fields.Count > 0 ? string.Join(", ", fields) : "message";
    }

    /// <summary>The path up to its first segment that is not a contract field name.</summary>
    private static string KnownPath(string path)
    {
        var kept = path.Split('.').TakeWhile(segment => Names.Contains(segment.Split('[')[0]));
        return string.Join('.', kept);
    }

    private static IEnumerable<string> FieldNames(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type))
        {
            yield break;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            yield return JsonName(property.Name);
            var inner = property.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType;
            if (inner.Namespace == typeof(CrimeEvent).Namespace && inner.IsClass)
            {
                foreach (var name in FieldNames(inner, seen))
                {
                    yield return name;
                }
            }
        }
    }

    private static string JsonName(string property) => char.ToLowerInvariant(property[0]) + property[1..];

    [GeneratedRegex(@"^[A-Za-z]{1,40}(\[[0-9]{1,3}\])?(\.[A-Za-z]{1,40}(\[[0-9]{1,3}\])?)*", RegexOptions.CultureInvariant)]
    private static partial Regex Path();
}
