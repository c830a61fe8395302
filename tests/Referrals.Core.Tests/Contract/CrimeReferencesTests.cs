using System.Text;
using Referrals.Contract;

namespace Referrals.Tests.Contract;

/// <summary>Every crime reference a rejected message seems to name, however broken it is: its dead letter is indexed by each.</summary>
public class CrimeReferencesTests
{
    [Theory]
    [InlineData("""{"crime":{"reference":"DB/26/1"}}""", "DB/26/1")]
    [InlineData("""{"schemaVersion":"1.0","crime":{"version":"x","reference":"DB/26/1","offence":{"reference":"not a crime"}}}""", "DB/26/1")]
    [InlineData("""{"crime":{"reference":"DB/26/1"},"crime":{"reference":"DB/26/2"}}""", "DB/26/1|DB/26/2")]
    [InlineData("""[{"crime":{"reference":"A"}},{"crime":{"reference":"B"}},{"crime":{"reference":"A"}}]""", "A|B")]
    [InlineData("""{"Crime":{"Reference":"DB\/26\u002F3"}}""", "DB/26/3")]
    [InlineData("""{"crime":{"reference":"DB/26/4"},"victims":[{"id":"V1",""", "DB/26/4")]
    [InlineData("""{"victims":[}{"crime" : {"reference" : "DB/26/5"}}""", "DB/26/5")]
    [InlineData("""not json, but "crime": {"reference": "DB/26/6"} somewhere""", "DB/26/6")]
    [InlineData("""{"crime":{"version":1,,"offence":{"homeOfficeCode":"28E"},"reference":"DB/26/8"}""", "DB/26/8")]
    [InlineData("""{"crime":{"reference":"CRIME-123"},"victims":[{"id":"V1","notes":"see CRIME-12"}]}""", "CRIME-123")]
    [InlineData("""{"crime":{"reference":12}}""", "")]
    [InlineData("""{"reference":"DB/26/7"}""", "")]
    [InlineData("", "")]
    public void Finds_each_crime_reference_once_in_whatever_is_left_of_the_JSON(string message, string expected) =>
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), CrimeReferences.In(Encoding.UTF8.GetBytes(message)));

    [Fact]
    public void Indexes_at_most_ten_references_and_none_longer_than_the_limit()
    {
        var many = string.Join(",", Enumerable.Range(0, 30).Select(i => "{\"crime\":{\"reference\":\"R" + i + "\"}}"));
        var found = CrimeReferences.In(Encoding.UTF8.GetBytes($"[{many},{{\"crime\":{{\"reference\":\"{new string('x', 500)}\"}}}}]"));

        Assert.Equal(Enumerable.Range(0, CrimeReferences.Max).Select(i => $"R{i}"), found);
        Assert.DoesNotContain(found, r => r.Length > CrimeReferences.MaxLength);
    }
}
