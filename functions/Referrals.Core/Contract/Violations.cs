namespace Referrals.Contract;

/// <summary>The contract violations found in one message, in the order they were found.</summary>
internal sealed class Violations
{
    private readonly List<string> _messages = [];

    public int Count => _messages.Count;

    public void Add(string message) => _messages.Add(message);

    public IEnumerable<string> Since(int index) => _messages.Skip(index);

    public string Describe()
    {
        if (_messages.Count == 0)
        {
            return "message does not follow the crime-event contract";
        }

        var shown = _messages.Take(10);
        var more = _messages.Count > 10 ? $"; and {_messages.Count - 10} more" : string.Empty;
        return string.Join("; ", shown) + more;
    }
}
