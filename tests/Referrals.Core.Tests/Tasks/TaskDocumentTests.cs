using System.Text;
using System.Text.Json;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;
using Referrals.Tests.Rendering;
using static Referrals.Tests.Fixtures;

namespace Referrals.Tests.Tasks;

/// <summary>
/// What a task tells the operator (rulebook 1.2 section 10): the kind, the reasons as codes, the victim's name and only
/// the contacts the snapshot marks safe, the officer in the case, the crime reference, the due time and the history;
/// never the crime's free text, never an unsafe contact, and no value that adds a line of its own.
/// </summary>
public class TaskDocumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 5, 9, 30, 0, TimeSpan.Zero);
    private static readonly PostalAddress Address = PostalAddress.Create(["12 Example Street", "Matlock"], "DE4 3AG");
    private static readonly OfficerInCase Officer = new("PC 4821 Khan", "oic.4821@police.example", "101");

    private static CrimeEvent Crime(Victim victim) =>
        Snapshot("19C", officer: Officer, victims: victim) with { Crime = Snapshot(officer: Officer).Crime with { Offence = new Offence("19C", "Free text the officer wrote about the offence") } };

    private static (TaskDocument Document, VictimState Victim) Shown(Victim victim, CrimeEvent? snapshot = null, TaskKind kind = TaskKind.ContactNeeded)
    {
        snapshot ??= Crime(victim);
        var state = VictimTransition.Apply(null, Rulebook.Decide(snapshot)[0], Now, Month.Of(Now), WorkingDays, newTaskId: TaskIds.Sequence()).Next;
        var task = state.Tasks.Tasks.Single(t => t.Kind == kind);
        return (TaskDocument.For(task, state, snapshot, Now), state);
    }

    /// <summary>An email and an address not marked safe (the consent pathway needs true), and a landline marked safe: the Unit can call.</summary>
    private static Victim Mixed() => new("V1", "Mx", "Sam", "Taylor", null, "victim@example.org", null, "01629 580000", true, null,
        false, false, false, SupportAnswer.NotAsked, null, Address, null);

    [Fact]
    public void A_task_shows_the_name_the_safe_contacts_the_officer_the_reasons_and_the_due_time()
    {
        var (document, _) = Shown(Mixed());
        var text = document.ToText();
        Assert.Contains("Kind: ContactNeeded\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Victim: \u201CMx Sam Taylor\u201D\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Victim's phone (marked safe): 01629 580000\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Officer in the case: \u201CPC 4821 Khan\u201D\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Officer's email: oic.4821@police.example\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Why: Email:NotConfirmedSafe, Sms:NoMobileNumber, Letter:NotConfirmedSafe\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Due: 2026-10-06 17:00 (Europe/London)\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Crime reference: DB/26/000001\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Outcomes: InformedInPerson, NotReached\r\n", text, StringComparison.Ordinal);
        Assert.Contains("History: 2026-10-05 10:30 Raised\r\n", text, StringComparison.Ordinal);
        Assert.StartsWith("Victim Care Unit task T2610-0000-0002: ContactNeeded (crime DB/26/000001), due 2026-10-06 17:00", document.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_never_shows_the_crimes_free_text_nor_a_contact_not_marked_safe()
    {
        var (document, _) = Shown(Mixed());
        var all = document.ToText() + Encoding.UTF8.GetString(document.ToJsonBytes()) + document.Subject;
        Assert.Contains("01629 580000", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Free text", all, StringComparison.Ordinal);
        Assert.DoesNotContain("victim@example.org", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Example Street", all, StringComparison.Ordinal);
    }

    [Fact]
    public void An_address_marked_safe_is_shown_on_a_consent_request()
    {
        var safe = Mixed() with { EmailSafe = true, AddressSafe = true };
        var (document, _) = Shown(safe, kind: TaskKind.ConsentRequest);
        Assert.Contains("Victim's address (marked safe): 12 Example Street, Matlock, DE4 3AG\r\n", document.ToText(), StringComparison.Ordinal);
        Assert.Contains("Victim's email (marked safe): victim@example.org\r\n", document.ToText(), StringComparison.Ordinal);
        Assert.Contains("Outcomes: Consented, Declined, NotReached\r\n", document.ToText(), StringComparison.Ordinal);
        Assert.Contains("Due: 2026-10-07 17:00 (Europe/London)\r\n", document.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_contact_marked_safe_is_shown_and_a_suspect_parent_of_a_child_gets_no_contact_at_all()
    {
        var child = new Victim("V1", null, "Sam", "Taylor", ChildBirthDate, "child@example.org", true, null, null, null, false, false, false, SupportAnswer.NotAsked,
            new ParentOrGuardian("Jo Taylor", "parent@example.org", true, null, "07700 900456", true));
        var (document, _) = Shown(child);
        var json = JsonDocument.Parse(document.ToJsonBytes()).RootElement;
        Assert.Equal("child@example.org", json.GetProperty("victim").GetProperty("email").GetString());
        Assert.Equal("Jo Taylor", json.GetProperty("parentOrGuardian").GetProperty("name").GetString());
        Assert.False(json.GetProperty("parentOrGuardian").TryGetProperty("email", out _));
        Assert.False(json.GetProperty("parentOrGuardian").TryGetProperty("phone", out _));
        Assert.Contains("may be a suspect", json.GetProperty("parentOrGuardian").GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_withdrawal_notice_names_the_task_and_why_and_nothing_about_the_victim()
    {
        var (_, state) = Shown(Mixed());
        var task = TaskRule.Withdraw(state.Tasks.Tasks.Single(t => t.Kind == TaskKind.ContactNeeded), TaskWithdrawal.Informed, Now.AddHours(2));
        var notice = TaskDocument.Withdrawal(task, state);
        var all = notice.ToText() + Encoding.UTF8.GetString(notice.ToJsonBytes()) + notice.Subject;
        Assert.Equal(DeliveryKind.TaskWithdrawn, notice.Kind);
        Assert.Equal($"task-withdrawn:{task.Id}", notice.Id);
        Assert.Contains("Withdrawn because: Informed\r\n", notice.ToText(), StringComparison.Ordinal);
        Assert.Equal($"Withdrawn: Victim Care Unit task {task.Id} (ContactNeeded, crime DB/26/000001): Informed", notice.Subject);
        Assert.DoesNotContain("Sam", all, StringComparison.Ordinal);
        Assert.DoesNotContain("01629", all, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_id_and_its_delivery_ids_carry_no_crime_reference_and_no_victim_id()
    {
        var (document, state) = Shown(Mixed() with { Id = "V77" });
        var id = state.Tasks.Tasks.Single(t => t.Kind == TaskKind.ContactNeeded).Id;
        Assert.Matches("^T2610-[0-9A-Z]{4}-[0-9A-Z]{4}$", TaskIds.New(Now));
        Assert.Equal($"task:{id}", document.Id);
        Assert.DoesNotContain("V77", document.Id, StringComparison.Ordinal);
        Assert.DoesNotContain("000001", document.Id, StringComparison.Ordinal);
        Assert.Equal("2026-10", TaskIds.MonthOf(id));
        Assert.Equal(id, TaskIds.Normalise($" {id.ToLowerInvariant()} "));
        Assert.Null(TaskIds.Normalise("DB/26/000001"));
    }

    public static TheoryData<int> Hostile() => HostileValues.Indexes();

    [Theory]
    [MemberData(nameof(Hostile))]
    public void No_value_adds_a_line_or_a_label_of_its_own(int index)
    {
        var value = HostileValues.All[index];
        var victim = Mixed() with { GivenName = value, FamilyName = value, Email = value, EmailSafe = true, Phone = value, PhoneSafe = true };
        var snapshot = Crime(victim) with { Crime = Crime(victim).Crime with { OfficerInCase = new OfficerInCase(value, value, value) } };
        var (document, _) = Shown(victim, snapshot);
        var lines = document.ToText().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var labels = lines.Select(l => l[..l.IndexOf(": ", StringComparison.Ordinal)]).ToList();
        Assert.All(labels, l => Assert.Contains(l, Labels));
        Assert.DoesNotContain("forged@attacker.example", string.Join('\n', lines.Where(l => l.StartsWith("Victim's email", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', document.Subject);
    }

    private static readonly string[] Labels =
    [
        "Task", "Kind", "Id", "State", "Crime reference", "Victim id", "What to do", "Outcomes", "Why", "Raised", "Due", "Hold",
        "Victim", "Victim's email (marked safe)", "Victim's phone (marked safe)", "Victim's address (marked safe)",
        "Officer in the case", "Officer's email", "Officer's phone", "History",
    ];
}
