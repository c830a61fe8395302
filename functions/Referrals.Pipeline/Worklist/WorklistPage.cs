using System.Globalization;
using System.Net;
using System.Text;
using Referrals.Pipeline.Tasks;
using Referrals.Rendering;
using Referrals.Tasks;

namespace Referrals.Pipeline.Worklist;

/// <summary>What one worklist page shows: who and when, the view, the tasks, the form token, and what the last action said.</summary>
/// <param name="Said">A line about the last action (done or refused), or null.</param>
public sealed record WorklistPageModel(
    string ForceName,
    string OperatorName,
    DateTimeOffset Now,
    WorkingDay Day,
    WorklistView View,
    TaskKind? Kind,
    IReadOnlyList<TaskView> Tasks,
    int More,
    string Token,
    string? Said,
    bool SaidIsRefusal);

/// <summary>
/// The Victim Care Unit's worklist as HTML: plain forms that work without JavaScript, no script at all, the stylesheet
/// from this app only. Every value passes <see cref="Text"/> (one line, HTML-encoded) into a place of its own in the
/// markup, so no value can add a line, a label, an element or an attribute. Each task shows what the task tells the
/// operator (<see cref="TaskDocument"/>: never the offence's free text, never a contact the snapshot does not mark safe).
/// </summary>
public static class WorklistPage
{
    public const string Path = "/api/" + WorklistEndpoint.Route;

    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    private static readonly (WorklistView View, string Label)[] Views =
        [(WorklistView.Today, "Due today"), (WorklistView.Overdue, "Overdue"), (WorklistView.Mine, "Mine"), (WorklistView.Open, "All open")];

    public static string Render(WorklistPageModel page)
    {
        var html = new StringBuilder(16 * 1024);
        var viewLabel = Views.First(v => v.View == page.View).Label;
        var clock = TaskNotice.Local(page.Now);
        html.Append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Text(viewLabel)).Append(" – Victim Care Unit worklist – ").Append(Text(page.ForceName)).Append("</title>\n")
            .Append("<link rel=\"stylesheet\" href=\"").Append(Path).Append("/worklist.css\">\n</head>\n<body>\n")
            .Append("<a class=\"skip\" href=\"#tasks\">Skip to the tasks</a>\n<header>\n")
            .Append("<p class=\"force\">").Append(Text(page.ForceName)).Append("</p>\n<h1>Victim Care Unit worklist</h1>\n")
            .Append("<p class=\"now\">").Append(Text(page.Day.Date.ToString("dddd d MMMM yyyy", English))).Append(", <time datetime=\"")
            .Append(Text(page.Now.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture))).Append("\">").Append(Text(clock[11..])).Append("</time> (UK time): ")
            .Append(page.Day.IsWorkingDay ? "a working day" : "not a working day (weekend or bank holiday): due times count working days only")
            .Append(". Tasks are due at 17:00 UK time.</p>\n")
            .Append("<p class=\"who\">Signed in as <strong>").Append(Text(page.OperatorName)).Append("</strong>.</p>\n</header>\n");

        html.Append("<nav aria-label=\"Which tasks\">\n<ul class=\"views\">\n");
        foreach (var (view, label) in Views)
        {
            html.Append("<li><a href=\"").Append(Text(Href(view, page.Kind))).Append('"').Append(view == page.View ? " aria-current=\"page\"" : string.Empty)
                .Append('>').Append(Text(label)).Append("</a></li>\n");
        }

        html.Append("</ul>\n<form class=\"kind\" method=\"get\" action=\"").Append(Path).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"view\" value=\"").Append(WorklistRule.NameOf(page.View)).Append("\">\n")
            .Append("<label for=\"kind\">Kind of task</label>\n<select id=\"kind\" name=\"kind\">\n<option value=\"\">Every kind</option>\n");
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            html.Append("<option value=\"").Append(kind).Append('"').Append(kind == page.Kind ? " selected" : string.Empty).Append('>').Append(kind).Append("</option>\n");
        }

        html.Append("</select>\n<button type=\"submit\">Show</button>\n</form>\n</nav>\n<main id=\"tasks\" tabindex=\"-1\">\n");
        if (page.Said is { } said)
        {
            html.Append(page.SaidIsRefusal ? "<div class=\"said refused\" role=\"alert\"><h2>Nothing changed</h2><p>" : "<div class=\"said done\" role=\"status\"><p>")
                .Append(Text(said)).Append("</p></div>\n");
        }

        html.Append("<h2>").Append(Text(viewLabel)).Append(page.Kind is { } k ? $": {k}" : string.Empty).Append(": ")
            .Append(page.Tasks.Count + page.More).Append(page.Tasks.Count + page.More == 1 ? " task" : " tasks").Append("</h2>\n");
        if (page.Tasks.Count == 0)
        {
            html.Append("<p>No tasks here.</p>\n");
        }

        html.Append("<ol class=\"tasks\">\n");
        foreach (var task in page.Tasks)
        {
            Task(html, task, page);
        }

        html.Append("</ol>\n");
        if (page.More > 0)
        {
            html.Append("<p>").Append(page.More).Append(" more not shown: pick a kind, or work these first.</p>\n");
        }

        html.Append("</main>\n<footer><p>Every claim, release and close is recorded in the victim's audit trail with your name. What each task and outcome means: the Unit's guide (docs/worklist.md).</p></footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string Href(WorklistView view, TaskKind? kind) =>
        $"{Path}?view={WorklistRule.NameOf(view)}{(kind is { } k ? $"&kind={k}" : string.Empty)}";

    /// <summary>A value as the page shows it: one line (<see cref="SafeText.OneLine"/>), HTML-encoded.</summary>
    public static string Text(string? value) => WebUtility.HtmlEncode(SafeText.OneLine(value) ?? string.Empty);

    private static void Task(StringBuilder html, TaskView view, WorklistPageModel page)
    {
        var doc = view.Document;
        var id = Text(doc.TaskId);
        html.Append("<li>\n<article class=\"task\" aria-labelledby=\"h-").Append(id).Append("\">\n<h3 id=\"h-").Append(id).Append("\">")
            .Append(Text(doc.TaskKind.ToString())).Append(" <span class=\"id\">").Append(id).Append("</span></h3>\n<p class=\"state\">");
        html.Append(doc.State == TaskState.Claimed ? $"Claimed by <strong>{Text(doc.ClaimedBy)}</strong>" : "Open")
            .Append(doc.DueAt is { } due ? $" · due {Text(TaskNotice.Local(due))}" : string.Empty)
            .Append(doc.Overdue == true ? " <strong class=\"flag overdue\">Overdue</strong>" : string.Empty)
            .Append(doc.Held == true ? " <strong class=\"flag held\">Held: contact nobody connected with the crime until the hold is lifted</strong>" : string.Empty)
            .Append("</p>\n<dl>\n");
        Field(html, "What to do", doc.WhatToDo);
        Field(html, "Why", doc.Reasons is { Count: > 0 } reasons ? string.Join(", ", reasons) : null);
        Field(html, "Crime reference", doc.CrimeReference);
        Field(html, "Victim id", doc.VictimId);
        Person(html, "Victim", doc.Victim);
        Person(html, "Parent or guardian", doc.ParentOrGuardian);
        if (doc.OfficerInCase is { } officer)
        {
            Field(html, "Officer in the case", officer.Name);
            Field(html, "Officer's email", officer.Email);
            Field(html, "Officer's phone", officer.Phone);
        }

        Field(html, "Referral to", doc.ReferralService);
        Field(html, "Raised", doc.RaisedAt is { } raised ? TaskNotice.Local(raised) : null);
        html.Append("</dl>\n");
        if (doc.History is { Count: > 0 } history)
        {
            html.Append("<details><summary>History<span class=\"visually-hidden\"> of task ").Append(id).Append("</span></summary>\n<ul>\n");
            foreach (var entry in history)
            {
                html.Append("<li>").Append(Text(TaskNotice.Local(entry.At))).Append(' ').Append(Text(entry.What))
                    .Append(entry.Operator is { } by ? $" (by {Text(by)})" : string.Empty).Append("</li>\n");
            }

            html.Append("</ul>\n</details>\n");
        }

        var offered = WorklistRule.Offered(view.Task, page.OperatorName);
        if (offered.Count > 0)
        {
            html.Append("<div class=\"actions\">\n");
            foreach (var action in offered)
            {
                Form(html, action, doc, page);
            }

            html.Append("</div>\n");
        }
        else if (doc.State == TaskState.Claimed)
        {
            html.Append("<p class=\"note\">Claimed by someone else: theirs to close, or to release.</p>\n");
        }

        html.Append("</article>\n</li>\n");
    }

    private static void Form(StringBuilder html, WorklistAction action, TaskDocument doc, WorklistPageModel page)
    {
        var id = Text(doc.TaskId);
        var name = action.ToString().ToLowerInvariant();
        html.Append("<form class=\"").Append(name).Append("\" method=\"post\" action=\"").Append(Path).Append("/tasks/").Append(id).Append('/').Append(name).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Text(page.Token)).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"view\" value=\"").Append(WorklistRule.NameOf(page.View)).Append("\">\n");
        if (page.Kind is { } kind)
        {
            html.Append("<input type=\"hidden\" name=\"kind\" value=\"").Append(kind).Append("\">\n");
        }

        if (action == WorklistAction.Close)
        {
            html.Append("<label for=\"outcome-").Append(id).Append("\">Outcome<span class=\"visually-hidden\"> of task ").Append(id).Append("</span></label>\n")
                .Append("<select id=\"outcome-").Append(id).Append("\" name=\"outcome\" required>\n<option value=\"\">Choose an outcome</option>\n");
            foreach (var outcome in doc.Outcomes ?? [])
            {
                html.Append("<option value=\"").Append(outcome).Append("\">").Append(outcome).Append("</option>\n");
            }

            html.Append("</select>\n");
        }

        var label = action switch
        {
            WorklistAction.Claim => "Claim",
            WorklistAction.Release => "Release",
            _ => "Close with this outcome",
        };
        html.Append("<button type=\"submit\">").Append(label).Append("<span class=\"visually-hidden\"> task ").Append(id).Append("</span></button>\n</form>\n");
    }

    private static void Person(StringBuilder html, string label, TaskPerson? person)
    {
        if (person is null)
        {
            return;
        }

        Field(html, label, person.Name ?? "(no name recorded)");
        Field(html, $"{label}'s email (marked safe)", person.Email);
        Field(html, $"{label}'s phone (marked safe)", person.Phone);
        Field(html, $"{label}'s address (marked safe)", person.Address is { Count: > 0 } lines ? string.Join(", ", lines) : null);
        Field(html, $"About the {label.ToLowerInvariant()}", person.Note);
    }

    private static void Field(StringBuilder html, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(SafeText.OneLine(value)))
        {
            html.Append("<div><dt>").Append(Text(label)).Append("</dt><dd>").Append(Text(value)).Append("</dd></div>\n");
        }
    }
}
