using Referrals.Rules;

namespace Referrals.Tallies;

/// <summary>
/// One counted category: a key (table row key and JSON name), the OPCC's column name, its definition, the group the
/// dashboard shows it in, and, for a per-service figure, the figure it breaks down (<paramref name="Base"/>) and the
/// service (<paramref name="Service"/>): the long CSV's <c>category</c> and <c>service</c> columns.
/// </summary>
/// <param name="CannotSee">What the figure cannot see (rulebook 1.2 section 12: the contract measures say it); null where the definition says it.</param>
public sealed record TallyCategory(string Key, string Name, string Definition, string Group = TallyGroups.Other, string? Base = null, string? Service = null, string? CannotSee = null)
{
    /// <summary>The long CSV's category: the figure a per-service count breaks down, else the key itself.</summary>
    public string Figure => Base ?? Key;
}

/// <summary>The dashboard's sections; a category added later without a group of its own shows under <see cref="Other"/>.</summary>
public static class TallyGroups
{
    /// <summary>The six categories of the monthly return (Derbyshire's, under their names; the force is named from settings).</summary>
    public const string Derbyshire = "Monthly return (six categories)";

    /// <summary>Rulebook 1.2 section 11: the services' contract measures, by the month of the referral's delivery.</summary>
    public const string Contract = "Services' contract measures";
    public const string Consent = "Consent";
    public const string Referrals = "Referrals";
    public const string Victims = "Victims by category";
    public const string WrittenInformation = "Written information";
    public const string TimeToInform = "Working days to written information";
    public const string Messages = "Messages";

    /// <summary>Rulebook 1.2 section 12: the Victim Care Unit's tasks, one group per kind (<see cref="Tasks.TaskFigures"/>).</summary>
    public const string Tasks = "Victim Care Unit tasks";
    public const string Other = "Other";
}

/// <summary>
/// A figure that is the sum of others, in every month: the relations an analyst can use to work out a hidden figure,
/// so small-count suppression hides more than the small figure itself (<see cref="Suppression"/>).
/// </summary>
/// <param name="AtMost">An inequality: the parts add up to at most the total (the funnel: accepted + declined ≤ contacted).</param>
/// <param name="Time">The months of a quarter adding up to it: not a relation between figures (a zero month reveals nothing about a person).</param>
public sealed record TallySum(string Total, IReadOnlyList<string> Parts, bool AtMost = false, bool Time = false);

/// <summary>
/// The categories counted each month, in report order: Derbyshire's six first, under their names, then the
/// others. Definitions are in docs/tallies.md; every count is of distinct victims (or deliveries), once ever.
/// A count stored under a key not listed here (a category added later, e.g. a new contact channel) is still
/// reported, after these, described by <see cref="Describe"/>: no code needs to change for it to appear.
/// </summary>
public static class TallyCategories
{
    public const string DeclinedSupport = "DeclinedSupport";
    public const string ConvertedToYes = "ConvertedToYes";
    public const string AcceptedAndReferred = "AcceptedAndReferred";
    public const string OptOutAutoReferrals = "OptOutAutoReferrals";
    public const string DaSexualOffences = "DaSexualOffences";
    public const string TotalVictims = "TotalVictims";
    public const string OptedOut = "OptedOut";
    public const string AwaitingConsent = "AwaitingConsent";
    public const string Withdrawn = "Withdrawn";
    public const string SingleSessionOffers = "SingleSessionOffers";
    public const string ReferralsDelivered = "ReferralsDelivered";
    public const string ReferralsOnTime = "ReferralsOnTime";
    public const string ReferralsLate = "ReferralsLate";
    public const string ReferralsFailed = "ReferralsFailed";
    public const string WithdrawalNotices = "WithdrawalNotices";
    public const string VcuTasksDelivered = "VcuTasksDelivered";
    public const string EmailsSent = "EmailsSent";
    public const string RejectedMessages = "RejectedMessages";
    public const string PersonalDataPurged = "PersonalDataPurged";
    public const string ContactNeeded = "ContactNeeded";
    public const string HeldContact = "HeldContact";
    public const string InformedWithinOneWorkingDay = "InformedWithinOneWorkingDay";

    /// <summary>Victims informed in writing by any channel (the first delivered): the total of both the routes and the working-days buckets.</summary>
    public const string InformedInWriting = "InformedInWriting";
    public const string InformedWithinTwoWorkingDays = "InformedWithinTwoWorkingDays";

    /// <summary>Rulebook 1.2 section 12: victims informed of their rights by any route (in writing, or in person), once.</summary>
    public const string Informed = "Informed";

    /// <summary>Rulebook 1.2 section 12: the route InPerson (a ContactNeeded task done InformedInPerson): counted in <see cref="Informed"/>, not in writing.</summary>
    public const string InPerson = "InPerson";

    /// <summary>The last bucket of the time to inform: 6 working days or more.</summary>
    public const int InformedAfterOpenBucket = 6;

    /// <summary>
    /// The bucket of a victim informed <paramref name="workingDays"/> working days after the recorded date
    /// (<see cref="Calendar.WorkingDayCalendar.WorkingDaysTo"/>): <c>InformedAfterWorkingDays.0</c> to <c>.5</c>, then <c>.6+</c>.
    /// </summary>
    public static string InformedAfterWorkingDays(int workingDays) =>
        workingDays >= InformedAfterOpenBucket ? $"{InformedAfterPrefix}{InformedAfterOpenBucket}+" : $"{InformedAfterPrefix}{Math.Max(0, workingDays)}";

    public const string InformedAfterPrefix = "InformedAfterWorkingDays.";

    /// <summary>Every bucket of the time to inform, in order: a victim informed (with a known recorded date) is in exactly one.</summary>
    public static readonly IReadOnlyList<string> InformedAfter = [.. Enumerable.Range(0, InformedAfterOpenBucket + 1).Select(InformedAfterWorkingDays)];

    /// <summary>A route of written information of rights (<see cref="ComplianceView.WrittenRoutePrefix"/>): the compliance view measures each.</summary>
    public static string InformedBy(Contact.Channel channel) => $"{ComplianceView.WrittenRoutePrefix}{channel}";

    public static string MessageFailed(Contact.Channel channel) => $"MessageFailed.{channel}";

    public const string InformedThenFailedPrefix = "InformedThenFailed.";

    /// <summary>Rulebook 1.2 section 12: a delivered message that failed after the fact (an asynchronous bounce, a returned letter), in the month it was learnt.</summary>
    public static string InformedThenFailed(Contact.Channel channel) => $"{InformedThenFailedPrefix}{channel}";
    public const string EnhancedRights = "Victims.EnhancedRights";

    /// <summary>The per-service figures a delivery's events break down into (its event carries the service).</summary>
    public static readonly IReadOnlyList<string> PerService = [ReferralsOnTime, ReferralsLate, ReferralsFailed, WithdrawalNotices];

    /// <summary>The victim categories counted (rulebook section 2), each once per victim.</summary>
    public static readonly IReadOnlyList<Category> VictimCategories = [Category.DomesticAbuse, Category.SexualOffence, Category.Stalking, Category.Harassment, Category.RoadDeath, Category.Child];

    public static string DeliveredTo(string serviceId) => $"Delivered.{serviceId}";

    /// <summary>A per-service breakdown of <paramref name="figure"/>: the referrals delivered keep their historical key.</summary>
    public static string ForService(string figure, string serviceId) => figure == ReferralsDelivered ? DeliveredTo(serviceId) : $"{figure}.{serviceId}";

    public static string EmailSuppressed(State.MessageReason reason) => $"EmailSuppressed.{reason}";

    public static string Victims(Category category) => $"Victims.{category}";

    public static IReadOnlyList<TallyCategory> For(ServiceDirectory directory)
    {
        IReadOnlyList<(string Id, string Name)> services = [.. directory.Services.Select(s => (s.Id, s.Name)), (VictimCareUnit.Id, directory.VictimCareUnit.Name)];
        return
        [
            new(DeclinedSupport, "Declined Support", "Consent-pathway victims who declined support (rulebook: Declined).", TallyGroups.Derbyshire),
            new(ConvertedToYes, "Converted to Yes and referred", "Victims who had declined and later accepted, and were referred (ConvertedToYes).", TallyGroups.Derbyshire),
            new(AcceptedAndReferred, "Accepted Support and Referred", "Consent-pathway victims who accepted when first asked and were referred (Referred, not after a decline).", TallyGroups.Derbyshire),
            new(OptOutAutoReferrals, "General Opt Out Auto Referrals", "Opt-out pathway victims referred automatically (AutoReferred).", TallyGroups.Derbyshire),
            new(DaSexualOffences, "DA/Sexual Offences", "Victims whose offence is domestic abuse or a sexual offence.", TallyGroups.Derbyshire),
            new(TotalVictims, "Total Victims", "Victims seen for the first time.", TallyGroups.Derbyshire),
            new(OptedOut, "Opted Out", "Opt-out pathway victims who declined, so were not referred (OptedOut).", TallyGroups.Consent),
            new(AwaitingConsent, "Consent Sought", "Consent-pathway victims not yet asked: a consent-seeking task was raised for the Victim Care Unit.", TallyGroups.Consent),
            new(Withdrawn, "Withdrawn", "Referred victims who later declined; services already reached were sent a withdrawal notice.", TallyGroups.Consent),
            new(SingleSessionOffers, "Single Session Offers", "Declined consent-pathway victims offered a single support session by the Victim Care Unit.", TallyGroups.Consent),
            new(ReferralsDelivered, "Referrals Delivered", "Referrals accepted by a service (2xx or 409 from its API, or its secure email sent).", TallyGroups.Referrals),
            .. directory.Services.Select(s => new TallyCategory(DeliveredTo(s.Id), $"Referrals Delivered: {s.Name}", $"Referrals accepted by {s.Name} ({s.Id}).", TallyGroups.Referrals, ReferralsDelivered, s.Id)),
            new(ReferralsOnTime, "Referrals On Time", "Referrals delivered on or before their due date (2 working days from the recorded date, Europe/London).", TallyGroups.Referrals),
            .. directory.Services.Select(s => new TallyCategory(ForService(ReferralsOnTime, s.Id), $"Referrals On Time: {s.Name}", $"Referrals delivered to {s.Name} on or before their due date.", TallyGroups.Referrals, ReferralsOnTime, s.Id)),
            new(ReferralsLate, "Referrals Late", "Referrals delivered after their due date.", TallyGroups.Referrals),
            .. directory.Services.Select(s => new TallyCategory(ForService(ReferralsLate, s.Id), $"Referrals Late: {s.Name}", $"Referrals delivered to {s.Name} after their due date.", TallyGroups.Referrals, ReferralsLate, s.Id)),
            new(ReferralsFailed, "Referrals Failed", "Referrals, withdrawals or tasks that failed for good (a 4xx from the service, or retries exhausted): in `referrals poison`.", TallyGroups.Referrals),
            .. services.Select(s => new TallyCategory(ForService(ReferralsFailed, s.Id), $"Referrals Failed: {s.Name}", $"Referrals, withdrawals or tasks for {s.Name} that failed for good.", TallyGroups.Referrals, ReferralsFailed, s.Id)),
            new(WithdrawalNotices, "Withdrawal Notices Delivered", "Withdrawal notices accepted by a service.", TallyGroups.Referrals),
            .. directory.Services.Select(s => new TallyCategory(ForService(WithdrawalNotices, s.Id), $"Withdrawal Notices Delivered: {s.Name}", $"Withdrawal notices accepted by {s.Name}.", TallyGroups.Referrals, WithdrawalNotices, s.Id)),
            new(VcuTasksDelivered, "VCU Tasks Delivered", "Single-session offers, consent-seeking and contact-needed tasks delivered to the Victim Care Unit.", TallyGroups.Referrals),
            .. VictimCategories.Select(c => new TallyCategory(Victims(c), $"Victims: {VictimCategoryNames[c]}", $"Victims whose offence, when first counted in this category, was {VictimCategoryNames[c].ToLowerInvariant()} (rulebook section 2).", TallyGroups.Victims)),
            new(EnhancedRights, "Victims: enhanced rights", "Victims entitled to the Victims' Code's enhanced rights (rulebook section 2).", TallyGroups.Victims),
            new(EmailsSent, "Emails Sent", "Entitlement emails accepted by SendGrid.", TallyGroups.WrittenInformation),
            .. EmailDecision.Reasons.Select(r => new TallyCategory(EmailSuppressed(r), $"Emails Suppressed: {r}", $"Victims not emailed because of {r} (rulebook section 5).", TallyGroups.WrittenInformation)),
            new(InformedBy(Contact.Channel.Email), "Informed by Email", "Victims whose entitlement email SendGrid reported delivered.", TallyGroups.WrittenInformation),
            new(InformedBy(Contact.Channel.Sms), "Informed by Text Message", "Victims whose entitlement text message GOV.UK Notify reported delivered.", TallyGroups.WrittenInformation),
            new(InformedBy(Contact.Channel.Letter), "Informed by Letter", "Victims whose entitlement letter GOV.UK Notify reported printed and posted (received; before revision 1.2, accepted).", TallyGroups.WrittenInformation),
            new(InformedInWriting, "Informed in Writing", "Victims informed of their rights in writing by any channel (the first delivered; a letter: printed and posted) whose crime's recorded date is known: the sum of the routes (Written.*) and of the working-days buckets.", TallyGroups.WrittenInformation),
            new(InformedWithinOneWorkingDay, "Informed Within 1 Working Day", "Victims informed (any channel, the first delivered) on or before 1 working day from the recorded date (Europe/London): the buckets 0 and 1 of the working days to inform.", TallyGroups.WrittenInformation),
            new(InformedWithinTwoWorkingDays, "Informed Within 2 Working Days", "Victims informed (any channel) on or before 2 working days from the recorded date (Europe/London).", TallyGroups.WrittenInformation),
            .. Enum.GetValues<Contact.Channel>().Select(c => new TallyCategory(MessageFailed(c), $"Messages Failed: {c}", $"Victims whose entitlement {Contact.ChannelNames.Noun(c)} failed for good (bounced, dropped, refused or a permanent failure); the next safe channel was used.", TallyGroups.WrittenInformation)),
            .. Enum.GetValues<Contact.Channel>().Select(c => new TallyCategory(InformedThenFailed(c), $"Informed Then {(c == Contact.Channel.Letter ? "Returned" : "Failed")}: {c}", $"Victims counted informed by {Contact.ChannelNames.Noun(c)} whose {Contact.ChannelNames.Noun(c)} later failed after all ({(c == Contact.Channel.Letter ? "returned undelivered, or failed after acceptance" : c == Contact.Channel.Email ? "an asynchronous bounce" : "reported failed after delivery")}), in the month it was learnt; their earlier count stays, and the next safe channel (or a ContactNeeded task) followed.", TallyGroups.WrittenInformation)),
            new(InPerson, "Informed in Person", "Victims the Victim Care Unit gave their entitlement information by phone or in person (a ContactNeeded task done InformedInPerson), in the month it was recorded: the route InPerson, not written information.", TallyGroups.WrittenInformation),
            new(Informed, "Informed (any route)", "Victims informed of their rights by any route, once: in writing (the first message delivered, counted with Informed in Writing) or in person (Informed in Person) when not in writing before.", TallyGroups.WrittenInformation),
            new(ContactNeeded, "Contact Needed (no safe channel)", "Victims no channel could safely reach, or whose every safe channel failed: the Victim Care Unit was asked to make contact.", TallyGroups.WrittenInformation),
            new(HeldContact, "Held (HoldContact)", "Victims of crimes held by the officer in the case: nothing was sent while the hold lasted.", TallyGroups.WrittenInformation),
            .. InformedAfter.Select((key, days) => new TallyCategory(key, days == InformedAfterOpenBucket ? $"Informed After {days} or More Working Days" : $"Informed After {days} Working Day{(days == 1 ? string.Empty : "s")}",
                (days == 0 ? "Victims informed on the crime's recorded date (Europe/London)" : days == InformedAfterOpenBucket ? $"Victims informed {days} or more working days after the crime's recorded date (Europe/London)" : $"Victims informed {days} working day{(days == 1 ? string.Empty : "s")} after the crime's recorded date (Europe/London)")
                + ", by the first channel delivered (a letter: printed and posted); a weekend or bank holiday counts as the working day after it.", TallyGroups.TimeToInform)),
            new(RejectedMessages, "Rejected Messages", "Crime-event messages refused as bad input, in the Europe/London month of their sentAt when it can be read, else of their arrival.", TallyGroups.Messages),
            .. Referrals.Tasks.TaskFigures.Categories(),
            .. ContractMeasures.Categories(directory),
            new(PersonalDataPurged, "Personal Data Purged", "Victims whose personal data the retention function removed, in the month it did (docs/privacy.md).", TallyGroups.Other),
        ];
    }

    /// <summary>
    /// The figures that are sums of others in every month: each per-service family adds up to its total, and a
    /// service's referrals delivered are its on-time and late ones (every referral has a due date).
    /// </summary>
    public static IReadOnlyList<TallySum> Sums(IReadOnlyList<TallyCategory> categories)
    {
        var sums = categories.Where(c => c.Base is not null).GroupBy(c => c.Base!)
            .Select(g => new TallySum(g.Key, [.. g.Select(c => c.Key)])).ToList();
        sums.Add(new TallySum(ReferralsDelivered, [ReferralsOnTime, ReferralsLate]));
        // Nested, never overlapping: bounds are narrowed one sum at a time, so "within 2" declared as .0+.1+.2 beside
        // "within 1" as .0+.1 would let a reader take one from the other and find .2 unnoticed.
        sums.Add(new TallySum(InformedWithinOneWorkingDay, [.. InformedAfter.Take(2)]));
        sums.Add(new TallySum(InformedWithinTwoWorkingDays, [InformedWithinOneWorkingDay, InformedAfter[2]]));
        sums.Add(new TallySum(InformedInWriting, [InformedWithinTwoWorkingDays, .. InformedAfter.Skip(3)]));
        sums.Add(new TallySum(InformedInWriting, [.. Enum.GetValues<Contact.Channel>().Select(InformedBy)]));
        foreach (var service in categories.Where(c => c.Base == ReferralsDelivered).Select(c => c.Service!))
        {
            sums.Add(new TallySum(DeliveredTo(service), [ForService(ReferralsOnTime, service), ForService(ReferralsLate, service)]));
        }

        sums.AddRange(Referrals.Tasks.TaskFigures.Sums());
        sums.AddRange(ContractBounds(categories));
        var keys = categories.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        return [.. sums.Where(s => keys.Contains(s.Total) && s.Parts.All(keys.Contains))];
    }

    /// <summary>
    /// A category found in storage that is not listed in <see cref="For"/>: named after its key, grouped by the key's
    /// first part (<c>Sms.Delivered</c> under "Sms"), so a figure added later appears in every format and on the dashboard.
    /// A key starting <c>Written.</c> (e.g. <c>Written.Letter</c>) is a route of written information of rights: it joins
    /// that group and the compliance view's measures.
    /// </summary>
    public static TallyCategory Describe(string key)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        var group = key.StartsWith(ComplianceView.WrittenRoutePrefix, StringComparison.Ordinal) ? TallyGroups.WrittenInformation : dot > 0 ? key[..dot] : TallyGroups.Other;
        return new TallyCategory(key, key, $"Counted by the pipeline under '{key}': see docs/tallies.md.", group);
    }

    /// <summary>The contract measures' inequalities, for the services among the categories.</summary>
    private static IEnumerable<TallySum> ContractBounds(IReadOnlyList<TallyCategory> categories)
    {
        var services = categories.Where(c => c.Base == ContractMeasures.Delivered).Select(c => c.Service!).ToList();
        return categories.Any(c => c.Key == ContractMeasures.Delivered) ? ContractMeasures.Bounds(services) : [];
    }

    private static readonly Dictionary<Category, string> VictimCategoryNames = new()
    {
        [Category.DomesticAbuse] = "Domestic abuse",
        [Category.SexualOffence] = "Sexual offence",
        [Category.Stalking] = "Stalking",
        [Category.Harassment] = "Harassment",
        [Category.RoadDeath] = "Road death",
        [Category.Child] = "Child",
    };
}
