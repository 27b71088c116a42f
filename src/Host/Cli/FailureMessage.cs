using System.Reflection;

namespace V2V.Host.Cli;

/// <summary>The one line an unexpected exception becomes: the command, where it happened (if known) and the cause.</summary>
internal static class FailureMessage
{
    public static string Format(string command, Exception failure, bool verbose)
    {
        var (cause, contexts) = Unwrap(failure);
        string where = contexts.Count == 0 ? "" : $" at {string.Join(", ", contexts)}";
        string message = cause.Message.ReplaceLineEndings(" ");
        string hint = verbose ? "" : " (internal error; --verbose shows the stack trace)";
        return $"v2v {command}: failed{where}: {cause.GetType().Name}: {message}{hint}";
    }

    /// <summary>
    /// The line for a setting of the <c>akka</c> section that Akka.NET refused when the actor system started (a bad
    /// provider type, a malformed value): the user's input, so exit 2 like any configuration error. Null for anything else.
    /// </summary>
    public static string? AkkaSettingProblem(string command, Exception failure) => Unwrap(failure).Cause switch
    {
        Akka.Configuration.ConfigurationException refused => $"v2v {command}: the akka section: {refused.Message.ReplaceLineEndings(" ")}",

        // A value Akka checks itself when the actor system starts (e.g. akka.scheduler.tick-duration below 10 ms).
        ArgumentException { ParamName: { } key } bad when key.StartsWith("akka.", StringComparison.Ordinal) =>
            $"v2v {command}: the akka section: {key}: {bad.Message.Replace($" (Parameter '{key}')", "", StringComparison.Ordinal).ReplaceLineEndings(" ")}",
        _ => null,
    };

    private static (Exception Cause, List<string> Contexts) Unwrap(Exception failure)
    {
        var contexts = new List<string>();
        var cause = failure;
        while (true)
        {
            if (cause is FailureContextException context && context.InnerException is { } inner)
            {
                contexts.Add(context.Context);
                cause = inner;
            }
            else if (cause is TargetInvocationException { InnerException: { } invoked })
            {
                cause = invoked;
            }
            else if (cause is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                cause = aggregate.InnerExceptions[0];
            }
            else
            {
                return (cause, contexts);
            }
        }
    }
}
