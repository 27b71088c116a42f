using System.Reflection;

namespace V2V.Host.Cli;

/// <summary>The one line an unexpected exception becomes: the command, where it happened (if known) and the cause.</summary>
internal static class FailureMessage
{
    public static string Format(string command, Exception failure, bool verbose)
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
                break;
            }
        }

        string where = contexts.Count == 0 ? "" : $" at {string.Join(", ", contexts)}";
        string message = cause.Message.ReplaceLineEndings(" ");
        string hint = verbose ? "" : " (internal error; --verbose shows the stack trace)";
        return $"v2v {command}: failed{where}: {cause.GetType().Name}: {message}{hint}";
    }
}
