using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Referrals.Cli;

/// <summary>One line of a JSON Lines input: its bytes, or only its length when it is too long to keep.</summary>
internal readonly record struct JsonLine(long Number, ReadOnlyMemory<byte> Bytes, long Length, bool TooLong);

/// <summary>
/// Reads a JSON Lines stream line by line without ever holding more than one line (and never more than
/// <c>maxLineBytes</c> of it), so memory stays flat whatever the file's size or its longest line.
/// </summary>
internal static class JsonLinesReader
{
    public static async IAsyncEnumerable<JsonLine> ReadAsync(Stream stream, int maxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        long number = 0;
        long discarded = -1;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } newline)
            {
                var line = buffer.Slice(0, newline);
                buffer = buffer.Slice(buffer.GetPosition(1, newline));
                number++;
                if (discarded >= 0)
                {
                    yield return new JsonLine(number, default, discarded + line.Length, TooLong: true);
                    discarded = -1;
                }
                else
                {
                    yield return Line(number, line, maxLineBytes);
                }
            }

            if (discarded >= 0 || buffer.Length > maxLineBytes)
            {
                discarded = Math.Max(discarded, 0) + buffer.Length;
                buffer = buffer.Slice(buffer.End);
            }

            if (result.IsCompleted)
            {
                if (discarded >= 0)
                {
                    yield return new JsonLine(number + 1, default, discarded, TooLong: true);
                }
                else if (buffer.Length > 0)
                {
                    yield return Line(number + 1, buffer, maxLineBytes);
                }

                break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }

        await reader.CompleteAsync();
    }

    private static JsonLine Line(long number, ReadOnlySequence<byte> line, int maxLineBytes)
    {
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        return line.Length > maxLineBytes
            ? new JsonLine(number, default, line.Length, TooLong: true)
            : new JsonLine(number, line.ToArray(), line.Length, TooLong: false);
    }
}
