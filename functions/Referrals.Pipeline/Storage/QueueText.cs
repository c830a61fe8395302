using System.Buffers.Text;
using System.Text;

namespace Referrals.Pipeline.Storage;

/// <summary>
/// Every queue of the pipeline carries Base64 text, as the Functions queue trigger expects. The triggers
/// receive the raw text (host setting messageEncoding: none) so that a message that is not Base64
/// reaches the code and is dead-lettered with a reason, instead of vanishing into a poison queue.
/// </summary>
public static class QueueText
{
    public static bool TryDecode(string raw, out byte[] payload)
    {
        payload = [];
        var trimmed = raw.Trim();
        if (trimmed.Length == 0 || !Base64.IsValid(trimmed))
        {
            return false;
        }

        payload = Convert.FromBase64String(trimmed);
        return true;
    }

    public static string Encode(ReadOnlySpan<byte> payload) => Convert.ToBase64String(payload);

    public static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));
}
