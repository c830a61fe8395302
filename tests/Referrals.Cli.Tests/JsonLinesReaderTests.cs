using System.Text;

namespace Referrals.Cli.Tests;

public class JsonLinesReaderTests
{
    private static async Task<List<JsonLine>> Read(string text, int max = 16)
    {
        var lines = new List<JsonLine>();
        await foreach (var line in JsonLinesReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), max, CancellationToken.None))
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public async Task Lines_are_split_on_LF_and_CRLF_and_the_last_line_needs_no_newline()
    {
        var lines = await Read("a\r\nbb\nccc");
        Assert.Equal(["a", "bb", "ccc"], lines.Select(l => Encoding.UTF8.GetString(l.Bytes.Span)));
        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.Number));
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_reported_with_its_length_but_not_kept()
    {
        var lines = await Read("short\n" + new string('x', 100_000) + "\nnext\n" + new string('y', 40));
        Assert.Equal(4, lines.Count);
        Assert.True(lines[1].TooLong);
        Assert.Equal(100_000, lines[1].Length);
        Assert.True(lines[1].Bytes.IsEmpty);
        Assert.Equal("next", Encoding.UTF8.GetString(lines[2].Bytes.Span));
        Assert.True(lines[3].TooLong);
        Assert.Equal(40, lines[3].Length);
    }
}
