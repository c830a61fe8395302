using System.Text;
using Referrals.LocalHost;

namespace Referrals.Cli.Tests;

/// <summary>What `referrals send` and `run --send` put on the queue: the bytes of each line, exactly.</summary>
public class ExactLinesTests
{
    [Fact]
    public async Task Lines_end_at_LF_or_CRLF_and_keep_every_other_byte()
    {
        byte[] input = [.. "{\"a\":1}\r\n"u8, .. "{\"b\":\r2}\n"u8, .. "{\"c\":\""u8, 0xFF, .. "\"}"u8];

        var lines = await ReadAsync(input);

        Assert.Equal(3, lines.Count);
        Assert.Equal("{\"a\":1}"u8.ToArray(), lines[0].Bytes);
        Assert.Equal("{\"b\":\r2}"u8.ToArray(), lines[1].Bytes);
        Assert.Equal(0xFF, lines[2].Bytes[^3]);
        Assert.Equal([1, 2, 3], lines.Select(l => l.Number));
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_only_measured()
    {
        var input = Encoding.ASCII.GetBytes(new string('x', SnapshotSender.MaxLineBytes + 10) + "\r\n{}\n");

        var lines = await ReadAsync(input);

        Assert.True(lines[0].TooLong);
        Assert.Equal(SnapshotSender.MaxLineBytes + 10, lines[0].Length);
        Assert.Equal("{}"u8.ToArray(), lines[1].Bytes);
    }

    private static async Task<List<ExactLine>> ReadAsync(byte[] input)
    {
        using var stream = new MemoryStream(input);
        return await SnapshotSender.ReadAsync(stream, CancellationToken.None);
    }
}
