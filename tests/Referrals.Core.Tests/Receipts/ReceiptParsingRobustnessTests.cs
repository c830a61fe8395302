using System.Text;
using Referrals.Receipts;

namespace Referrals.Tests.Receipts;

/// <summary>Nothing a provider (or anyone) posts makes the parsers throw: every body is a result or a refusal.</summary>
public class ReceiptParsingRobustnessTests
{
    private static readonly byte[] SendGridBody = Encoding.UTF8.GetBytes(
        """[{"email":"a@example.org","timestamp":1790000000,"event":"bounce","type":"blocked","sg_event_id":"e1","sg_message_id":"m","category":["entitlement-email"],"crimeReference":"DB/26/1","victimId":"V1"},{"event":"delivered","sg_event_id":"e2","timestamp":1790000001,"category":"entitlement-email","crimeReference":"DB/26/1","victimId":"V2"}]""");

    private static readonly byte[] NotifyBody = Encoding.UTF8.GetBytes(
        """{"id":"740e5834-3a29-46b4-9a6f-16142fde533a","reference":"r","to":"07700900001","status":"delivered","created_at":"2026-10-05T10:00:00.000000Z","completed_at":null,"sent_at":null,"notification_type":"sms","template_id":"t","template_version":1}""");

    private static readonly byte[] Replacements = Encoding.UTF8.GetBytes("{}[]\",:0-1.eE tnfx\\\0\u00ff");

    [Fact]
    public void Every_prefix_and_every_single_byte_mutation_is_parsed_or_refused_never_thrown()
    {
        foreach (var body in new[] { SendGridBody, NotifyBody })
        {
            for (var length = 0; length <= body.Length; length++)
            {
                Both(body.AsSpan(0, length));
            }

            for (var i = 0; i < body.Length; i++)
            {
                foreach (var replacement in Replacements)
                {
                    var mutated = (byte[])body.Clone();
                    mutated[i] = replacement;
                    Both(mutated);
                }
            }
        }
    }

    private static void Both(ReadOnlySpan<byte> body)
    {
        var events = SendGridEvents.Parse(body);
        Assert.True(events.Value is null ^ events.Problem is null);
        var callback = NotifyReports.ParseCallback(body);
        Assert.True(callback.Value is null ^ callback.Problem is null);
        var lookup = NotifyReports.ParseLookup(body);
        Assert.True(lookup.Value is null ^ lookup.Problem is null);
    }
}
