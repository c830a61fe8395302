using System.Globalization;
using NodaTime;
using NodaTime.Extensions;
using Referrals.Forwarding;

namespace Referrals.Tasks;

/// <summary>How a task reaches the Victim Care Unit: its notice's kind, when a notice is still warranted, and what the Unit is asked to do.</summary>
public static class TaskNotice
{
    private static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];

    /// <summary>The delivery kind of a task's notice (the same name).</summary>
    public static DeliveryKind KindOf(TaskKind kind) => kind switch
    {
        TaskKind.ConsentRequest => DeliveryKind.ConsentRequest,
        TaskKind.SingleSessionOffer => DeliveryKind.SingleSessionOffer,
        TaskKind.ContactNeeded => DeliveryKind.ContactNeeded,
        TaskKind.ServiceCouldNotContact => DeliveryKind.ServiceCouldNotContact,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Null when the notice is still warranted: a task's notice while it is open, its withdrawal notice once it is withdrawn.</summary>
    public static string? WhyNot(DeliveryKind kind, VcuTask? task) => task switch
    {
        null => "no longer warranted: the victim has no such task",
        _ when kind == DeliveryKind.TaskWithdrawn => task.State == TaskState.Withdrawn ? null : $"no longer warranted: the task is {task.State}",
        { IsOpen: true } => null,
        { State: TaskState.Withdrawn } => $"no longer warranted: the task was withdrawn ({task.WithdrawnBecause})",
        _ => $"no longer warranted: the task is already done ({task.Outcome})",
    };

    /// <summary>What the Unit is asked to do, in one line (docs/worklist.md says more).</summary>
    public static string WhatToDo(TaskKind kind) => kind switch
    {
        TaskKind.ConsentRequest => "Ask the victim whether they want to be referred to the support services they are eligible for, and record their answer.",
        TaskKind.SingleSessionOffer => "The victim declined referral: offer them a single support session with the Victim Care Unit.",
        TaskKind.ContactNeeded => "No channel can safely reach the victim in writing: give them their entitlement information by phone or in person (or through the officer in the case).",
        TaskKind.ServiceCouldNotContact => "The service could not reach the victim: give it correct details or a safe way to reach them, or reach the victim yourself.",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>An instant as the Unit reads it: Europe/London wall-clock time, e.g. "2026-10-06 17:00".</summary>
    public static string Local(DateTimeOffset at) =>
        at.ToInstant().InZone(London).LocalDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
