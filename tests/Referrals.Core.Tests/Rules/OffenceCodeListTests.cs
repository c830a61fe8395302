using Referrals.Rules;

namespace Referrals.Tests.Rules;

/// <summary>The offence code list is a CSV a force edits: a bad file stops start-up with a message naming the line.</summary>
public class OffenceCodeListTests
{
    private static OffenceCodeList Parse(string csv) => OffenceCodeList.Parse(new StringReader(csv), "codes.csv");

    private static string Error(string csv) => Assert.Throws<InvalidDataException>(() => Parse(csv)).Message;

    [Fact]
    public void Codes_are_normalised_and_labels_and_groups_trimmed()
    {
        var codes = Parse("code,label,group\n 8n , Harassment , Violence without injury \n");
        Assert.Equal(new OffenceCodeEntry("8N", "Harassment", "Violence without injury"), codes.Find("8N"));
    }

    [Fact]
    public void A_quoted_label_may_hold_commas_and_doubled_quotes()
    {
        var codes = Parse("code,label,group\n11A,\"Cruelty, neglect and \"\"wilful\"\" harm\",\"Violence, without injury\"");
        Assert.Equal(new OffenceCodeEntry("11A", "Cruelty, neglect and \"wilful\" harm", "Violence, without injury"), codes.Find("11A"));
    }

    [Fact]
    public void A_field_quoted_to_its_end_is_read_whole() =>
        Assert.Equal("Stalking", Parse("code,label,group\n8Q,\"Stalking\",\"Violence\"").Find("8Q")!.Label);

    [Fact]
    public void The_header_is_read_whatever_its_letter_case_and_surrounding_spaces() =>
        Assert.NotNull(Parse(" Code,Label,GROUP \n8Q,Stalking,Violence").Find("8Q"));

    [Fact]
    public void Blank_lines_are_skipped() =>
        Assert.NotNull(Parse("code,label,group\n\n   \n8Q,Stalking,Violence\n").Find("8Q"));

    [Fact]
    public void A_code_not_in_the_list_is_not_found() =>
        Assert.Null(Parse("code,label,group\n8Q,Stalking,Violence").Find("8L"));

    [Theory]
    [InlineData("")]
    [InlineData("code,label\n8Q,Stalking")]
    [InlineData("8Q,Stalking,Violence")]
    public void A_file_without_the_header_is_refused(string csv) =>
        Assert.Equal("codes.csv: the first line must be the header 'code,label,group'.", Error(csv));

    [Theory]
    [InlineData("8Q,Stalking")]
    [InlineData("8Q,Stalking,Violence,extra")]
    [InlineData("8Q, ,Violence")]
    [InlineData("8Q,Stalking,")]
    [InlineData(",Stalking,Violence")]
    public void A_line_without_three_non_empty_fields_is_refused_naming_its_line_number(string line) =>
        Assert.Equal("codes.csv: line 4 must have three non-empty fields: code, label and group.",
            Error($"code,label,group\n8L,Harassment,Violence\n\n{line}\n8M,Harassment,Violence"));

    [Fact]
    public void A_code_listed_twice_is_refused_naming_it_and_the_file() =>
        Assert.Equal("codes.csv: offence code '8N' is listed more than once.", Error("code,label,group\n8N,a,b\n8n,c,d"));

    [Fact]
    public void A_missing_file_is_refused_naming_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-codes-{Guid.NewGuid():N}.csv");
        var error = Assert.Throws<FileNotFoundException>(() => OffenceCodeList.Load(path));
        Assert.Equal($"The offence code list was not found at '{path}'.", error.Message);
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void A_file_is_loaded_and_its_errors_name_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"codes-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "code,label,group\n8Q,Stalking,Violence\n8Q,Stalking,Violence\n");
            Assert.Equal($"{path}: offence code '8Q' is listed more than once.", Assert.Throws<InvalidDataException>(() => OffenceCodeList.Load(path)).Message);
            File.WriteAllText(path, "code,label\n");
            Assert.StartsWith($"{path}: the first line", Assert.Throws<InvalidDataException>(() => OffenceCodeList.Load(path)).Message, StringComparison.Ordinal);
            File.WriteAllText(path, "code,label,group\n8Q,Stalking,Violence\n");
            Assert.Equal("Stalking", OffenceCodeList.Load(path).Find("8Q")!.Label);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
