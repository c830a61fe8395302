namespace Referrals.Pipeline.Tasks;

/// <summary>
/// An operator's change was committed, but what it asks for (a referral, a task's notice or withdrawal notice) could not be
/// put on its queue: the command says so in one line, and running it again hands it on (the change is not made twice).
/// </summary>
public sealed class HandOnFailedException(string message, Exception inner) : Exception(message, inner)
{
    public static string Reason(Exception ex) => $"{ex.GetType().Name}: {ex.Message.Split('\n', 2)[0].Trim()}";
}
