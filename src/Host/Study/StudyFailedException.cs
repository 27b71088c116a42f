namespace V2V.Host.Study;

/// <summary>
/// A study that cannot go on: a run or a training failed, a run did not verify (exit 1), or SIGINT/SIGTERM stopped
/// a run (exit 130 or 143, as `v2v run`; the same command resumes). One line, no trace.
/// </summary>
internal sealed class StudyFailedException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
