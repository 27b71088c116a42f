namespace V2V.Host.Output;

/// <summary>Whether a live progress bar (ANSI cursor codes) may be drawn on a writer: only on a terminal.</summary>
public static class ProgressDisplay
{
    /// <summary>
    /// True only for the process's own stderr when it is a terminal. Redirected to a file or pipe, or any other writer,
    /// the bar's escape codes would be garbage in the log, so `v2v run` then prints no progress.
    /// </summary>
    public static bool CanDraw(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
}
