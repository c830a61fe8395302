using System.Runtime.CompilerServices;

namespace Referrals.LocalHost;

/// <summary>One line of a file exactly as written, without its line end; only its length when it is too long to keep.</summary>
public readonly record struct ExactLine(int Number, byte[] Bytes, long Length, bool TooLong)
{
    public bool IsBlank => !TooLong && Bytes.AsSpan().Trim(" \t\r"u8).IsEmpty;
}

/// <summary>
/// Splits a stream into lines byte for byte, for commands that send what they read: a line ends at LF or CRLF only
/// (a bare CR stays in the line, as the records system wrote it), and the bytes are never decoded, so invalid UTF-8
/// reaches the parser's check instead of being turned into U+FFFD.
/// </summary>
public static class ExactLines
{
    public static async IAsyncEnumerable<ExactLine> ReadAsync(Stream stream, int maxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        var (number, length) = (0, 0L);
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    Append(buffer.AsSpan(start, i - start));
                    yield return Finish(lineEnded: true);
                    start = i + 1;
                }
            }

            Append(buffer.AsSpan(start, read - start));
        }

        if (length > 0)
        {
            yield return Finish(lineEnded: false);
        }

        void Append(ReadOnlySpan<byte> bytes)
        {
            // Past the limit only the length is counted, and the last byte kept, to see a CRLF.
            var room = (int)Math.Max(0, maxLineBytes + 1 - line.Length);
            line.Write(bytes[..Math.Min(room, bytes.Length)]);
            if (bytes.Length > room && bytes.Length > 0)
            {
                line.Position = line.Length - 1;
                line.WriteByte(bytes[^1]);
            }

            length += bytes.Length;
        }

        ExactLine Finish(bool lineEnded)
        {
            number++;
            var bytes = line.ToArray();
            var total = length;
            if (lineEnded && bytes is [.., (byte)'\r'])
            {
                bytes = bytes[..^1];
                total--;
            }

            line.SetLength(0);
            length = 0;
            return total > maxLineBytes
                ? new ExactLine(number, [], total, TooLong: true)
                : new ExactLine(number, bytes, total, TooLong: false);
        }
    }
}
