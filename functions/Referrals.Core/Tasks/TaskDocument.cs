using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Contract;
using Referrals.Forwarding;
using Referrals.Rendering;
using Referrals.Rules;
using Referrals.State;

namespace Referrals.Tasks;

/// <summary>A person as a task shows them: the name, and only the contacts the snapshot marks safe (each one valid value).</summary>
/// <param name="Note">Why contacts are left out (a parent or guardian who may be a suspect), never a value.</param>
public sealed record TaskPerson(string? Name, string? Email, string? Phone, IReadOnlyList<string>? Address, string? Note = null);

/// <summary>The officer in the case, as the snapshot names them (crime-event contract: <c>crime.officerInCase</c>).</summary>
public sealed record TaskOfficer(string? Name, string? Email, string? Phone);

/// <summary>
/// What a task tells the operator (rulebook 1.2 section 10): the kind and what to do, the reasons as codes, the victim's
/// name and only the contacts the crime's latest snapshot marks safe, the officer in the case, the crime reference, the due
/// time and the task's history. Never the crime's free text, never a contact not marked safe. The same document is
/// sent to the Unit's mailbox or API when the task is raised, and shown by `referrals tasks show`. A withdrawal notice
/// (<see cref="Withdrawal"/>) carries ids, the kind and the reason only.
/// </summary>
public sealed record TaskDocument : IDeliveryDocument
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public required string Id { get; init; }

    public required DeliveryKind Kind { get; init; }

    public required string Service { get; init; }

    public required string TaskId { get; init; }

    public required TaskKind TaskKind { get; init; }

    public required TaskState State { get; init; }

    public required string CrimeReference { get; init; }

    public required string VictimId { get; init; }

    /// <summary>The referral's service, for a ServiceCouldNotContact task.</summary>
    public string? ReferralService { get; init; }

    public string? WhatToDo { get; init; }

    public IReadOnlyList<TaskOutcome>? Outcomes { get; init; }

    public IReadOnlyList<string>? Reasons { get; init; }

    public DateTimeOffset? RaisedAt { get; init; }

    /// <summary>Null while the task is not work yet (raised while the crime is held).</summary>
    public DateTimeOffset? DueAt { get; init; }

    public bool? Overdue { get; init; }

    /// <summary>The crime is held (HoldContact) now: nobody connected with it is contacted.</summary>
    public bool? Held { get; init; }

    public string? ClaimedBy { get; init; }

    public TaskOutcome? Outcome { get; init; }

    public TaskWithdrawal? WithdrawnBecause { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public TaskPerson? Victim { get; init; }

    public TaskPerson? ParentOrGuardian { get; init; }

    public TaskOfficer? OfficerInCase { get; init; }

    public IReadOnlyList<TaskEvent>? History { get; init; }

    string? IDeliveryDocument.VictimId => VictimId;

    [JsonIgnore]
    public string Subject => SafeText.OneLine(Kind == DeliveryKind.TaskWithdrawn
        ? $"Withdrawn: Victim Care Unit task {TaskId} ({TaskKind}, crime {SafeText.OneLine(CrimeReference)}): {WithdrawnBecause}"
        : $"Victim Care Unit task {TaskId}: {TaskKind} (crime {SafeText.OneLine(CrimeReference)}){(DueAt is { } due ? $", due {TaskNotice.Local(due)}" : string.Empty)}");

    /// <summary>The task as the operator sees it, from the victim's state and the crime's latest snapshot (null when the victim is not in it).</summary>
    public static TaskDocument For(VcuTask task, VictimState victim, CrimeEvent? snapshot, DateTimeOffset now)
    {
        var person = snapshot?.Victims.FirstOrDefault(v => v.Id == victim.VictimId);
        var officer = snapshot?.Crime.OfficerInCase;
        return new TaskDocument
        {
            Id = DeliveryId.For(TaskNotice.KindOf(task.Kind), victim.CrimeReference, victim.VictimId, Rules.VictimCareUnit.Id, task.Id),
            Kind = TaskNotice.KindOf(task.Kind),
            Service = Rules.VictimCareUnit.Id,
            TaskId = task.Id,
            TaskKind = task.Kind,
            State = task.State,
            CrimeReference = SafeText.OneLine(victim.CrimeReference),
            VictimId = SafeText.OneLine(victim.VictimId),
            ReferralService = task.ServiceId is null ? null : SafeText.OneLine(task.ServiceId),
            WhatToDo = TaskNotice.WhatToDo(task.Kind),
            Outcomes = TaskOutcomes.For(task.Kind),
            Reasons = [.. task.Reasons.Select(r => SafeText.OneLine(r))],
            RaisedAt = task.RaisedAt,
            DueAt = task.DueAt,
            Overdue = task.IsOverdue(now),
            Held = victim.Contact.Held,
            ClaimedBy = Text(task.ClaimedBy),
            Outcome = task.Outcome,
            WithdrawnBecause = task.WithdrawnBecause,
            ClosedAt = task.ClosedAt,
            Victim = person is null ? null : Person(Name(person.Title, person.GivenName, person.FamilyName), person.Email, person.EmailSafe, person.Phone, person.PhoneSafe, person.Address, person.AddressSafe),
            ParentOrGuardian = person?.ParentOrGuardian is { } parent && victim.Child ? Parent(parent) : null,
            OfficerInCase = officer is null ? null : new TaskOfficer(Text(officer.Name), SafeContact.TryEmail(officer.Email, out var email) ? email : null, SafeContact.TryPhone(officer.Phone, out var phone) ? phone : null),
            History = [.. task.History.Select(e => e with { What = SafeText.OneLine(e.What), Operator = Text(e.Operator) })],
        };
    }

    /// <summary>The Unit is told a task it was sent is withdrawn: ids, the kind and the reason, nothing about the victim.</summary>
    public static TaskDocument Withdrawal(VcuTask task, VictimState victim) => new()
    {
        Id = DeliveryId.For(DeliveryKind.TaskWithdrawn, victim.CrimeReference, victim.VictimId, Rules.VictimCareUnit.Id, task.Id),
        Kind = DeliveryKind.TaskWithdrawn,
        Service = Rules.VictimCareUnit.Id,
        TaskId = task.Id,
        TaskKind = task.Kind,
        State = task.State,
        CrimeReference = SafeText.OneLine(victim.CrimeReference),
        VictimId = SafeText.OneLine(victim.VictimId),
        WithdrawnBecause = task.WithdrawnBecause,
        ClosedAt = task.ClosedAt,
        WhatToDo = "Nothing: this task is moot. Stop any work on it.",
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>
    /// One field a line: a fixed label and one value made one line, so no value can start a line of its own; the name is
    /// quoted, so words in it that look like a label read as the record's.
    /// </summary>
    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string label, object? value)
        {
            var line = SafeText.OneLine(Convert.ToString(value, CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(line))
            {
                text.Append(label).Append(": ").Append(line).Append("\r\n");
            }
        }

        Line("Task", TaskId);
        Line("Kind", Kind == DeliveryKind.TaskWithdrawn ? Kind : TaskKind);
        Line("Id", Id);
        Line("Withdrawn task's kind", Kind == DeliveryKind.TaskWithdrawn ? TaskKind : null);
        Line("State", State == TaskState.Claimed ? $"Claimed by {ClaimedBy}" : State);
        Line("Outcome", Outcome);
        Line("Withdrawn because", WithdrawnBecause);
        Line("Crime reference", CrimeReference);
        Line("Victim id", VictimId);
        Line("Referral to", ReferralService);
        Line("What to do", WhatToDo);
        Line("Outcomes", Outcomes is { Count: > 0 } outcomes ? string.Join(", ", outcomes) : null);
        Line("Why", Reasons is { Count: > 0 } reasons ? string.Join(", ", reasons) : null);
        Line("Raised", RaisedAt is { } raised ? TaskNotice.Local(raised) : null);
        Line("Due", DueAt is { } due ? $"{TaskNotice.Local(due)} (Europe/London){(Overdue == true ? ": OVERDUE" : string.Empty)}" : Kind == DeliveryKind.TaskWithdrawn ? null : "not yet: raised while the crime is held");
        Line("Closed", ClosedAt is { } closed ? TaskNotice.Local(closed) : null);
        Line("Hold", Held == true ? "the crime is held (HoldContact): contact nobody connected with it until the hold is lifted" : null);
        PersonLines("Victim", Victim);
        PersonLines("Parent or guardian", ParentOrGuardian);
        if (OfficerInCase is { } officer)
        {
            Line("Officer in the case", Quoted(officer.Name));
            Line("Officer's email", officer.Email);
            Line("Officer's phone", officer.Phone);
        }

        foreach (var entry in History ?? [])
        {
            Line("History", $"{TaskNotice.Local(entry.At)} {entry.What}{(entry.Operator is { } by ? $" (by {by})" : string.Empty)}");
        }

        return text.ToString();

        void PersonLines(string label, TaskPerson? person)
        {
            if (person is null)
            {
                return;
            }

            Line(label, Quoted(person.Name) ?? "(no name recorded)");
            Line($"{label}'s email (marked safe)", person.Email);
            Line($"{label}'s phone (marked safe)", person.Phone);
            Line($"{label}'s address (marked safe)", person.Address is { Count: > 0 } lines ? string.Join(", ", lines) : null);
            Line($"{label}", person.Note);
        }
    }

    private static string? Quoted(string? value) =>
        SafeText.OneLine(value) is { Length: > 0 } line
            ? $"\u201C{line.Replace('\u201C', '\'').Replace('\u201D', '\'').Replace('"', '\'')}\u201D"
            : null;

    private static string? Text(string? value) => SafeText.OneLine(value) is { Length: > 0 } text ? text : null;

    private static string? Name(params string?[] parts) => Text(string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p))));

    private static TaskPerson Person(string? name, string? email, bool? emailSafe, string? phone, bool? phoneSafe, PostalAddress? address, bool? addressSafe) => new(
        name,
        emailSafe == true && SafeContact.TryEmail(email, out var validEmail) ? validEmail : null,
        phoneSafe == true && SafeContact.TryPhone(phone, out var validPhone) ? validPhone : null,
        addressSafe == true && address is { IsValid: true } valid && valid.Lines.Append(valid.Postcode).Select(l => SafeText.OneLine(l)).ToList() is var lines && lines.All(l => l.Length > 0) ? lines : null);

    private static TaskPerson Parent(ParentOrGuardian parent) => parent.IsSuspect == false
        ? Person(Text(parent.Name), parent.Email, parent.EmailSafe, parent.Phone, parent.PhoneSafe, parent.Address, parent.AddressSafe)
        : new TaskPerson(Text(parent.Name), null, null, null, "may be a suspect (or the record does not say): do not contact them about the victim");
}
