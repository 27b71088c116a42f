using System.Text.Json;

namespace V2V.Host.Verify;

/// <summary>
/// A run folder's completion marker as read: complete.json {"status":"complete","steps":S,"ledgerBytes":B}, or
/// incomplete.json {"status":"incomplete","reason":"failed"|"interrupted","step":T,"cause":"..."}, or neither.
/// </summary>
/// <param name="IsComplete">complete.json is present and says "complete".</param>
/// <param name="Why">For an incomplete run, why, as the headline says it ("interrupted at step 130: SIGTERM").</param>
/// <param name="OpenStep">incomplete.json's step, the one that was open.</param>
internal sealed record CompletionMarker(bool IsComplete, string Why, long? Steps, long? LedgerBytes, long? OpenStep)
{
    private static readonly string[] Reasons = ["failed", "interrupted"];

    public static CompletionMarker Read(string dir, Findings findings)
    {
        var bothPresent = File.Exists(Path.Combine(dir, RunFolderFiles.Complete)) && File.Exists(Path.Combine(dir, RunFolderFiles.Incomplete));
        if (bothPresent)
        {
            findings.Violation($"{RunFolderFiles.Complete} and {RunFolderFiles.Incomplete} are both present; a run ends one way");
        }

        if (File.Exists(Path.Combine(dir, RunFolderFiles.Complete)))
        {
            return RunFileJson.ReadObject(dir, RunFolderFiles.Complete, findings) is { } c
                ? FromComplete(c, findings)
                : new CompletionMarker(false, $"{RunFolderFiles.Complete} unreadable", null, null, null);
        }

        if (File.Exists(Path.Combine(dir, RunFolderFiles.Incomplete)))
        {
            return RunFileJson.ReadObject(dir, RunFolderFiles.Incomplete, findings) is { } i
                ? FromIncomplete(i, findings)
                : new CompletionMarker(false, $"{RunFolderFiles.Incomplete} unreadable", null, null, null);
        }

        return new CompletionMarker(false, "no completion marker", null, null, null);
    }

    private static CompletionMarker FromComplete(JsonElement c, Findings findings)
    {
        const string File = RunFolderFiles.Complete;
        var status = RunFileJson.Text(c, File, "status", findings);
        if (status is not null && status != "complete")
        {
            findings.Violation($"{File}: \"status\" is \"{status}\", expected \"complete\"");
        }

        if (status != "complete")
        {
            return new CompletionMarker(false, $"{File} does not say complete", null, null, null);
        }

        return new CompletionMarker(true, "", RunFileJson.Integer(c, File, "steps", findings), RunFileJson.Integer(c, File, "ledgerBytes", findings), null);
    }

    private static CompletionMarker FromIncomplete(JsonElement i, Findings findings)
    {
        const string File = RunFolderFiles.Incomplete;
        var status = RunFileJson.Text(i, File, "status", findings);
        if (status is not null && status != "incomplete")
        {
            findings.Violation($"{File}: \"status\" is \"{status}\", expected \"incomplete\"");
        }

        var reason = RunFileJson.Text(i, File, "reason", findings);
        if (reason is not null && !Reasons.Contains(reason, StringComparer.Ordinal))
        {
            findings.Violation($"{File}: \"reason\" is \"{reason}\", expected one of {string.Join(", ", Reasons)}");
        }

        var step = RunFileJson.Integer(i, File, "step", findings);
        var cause = RunFileJson.Text(i, File, "cause", findings)?.ReplaceLineEndings(" ");
        var why = $"{reason ?? "stopped"}{(step is { } s ? $" at step {s}" : "")}{(cause is { Length: > 0 } ? $": {cause}" : "")}";
        return new CompletionMarker(false, why, null, null, step);
    }
}
