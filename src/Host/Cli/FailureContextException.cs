namespace V2V.Host.Cli;

/// <summary>
/// Wraps an unexpected exception with where it happened (<c>"step 17"</c>, <c>"book 3"</c>), so the one-line error
/// the command line prints can name the input. Layers nest: an outer context is printed first.
/// </summary>
public sealed class FailureContextException(string context, Exception cause)
    : Exception($"{context}: {cause?.Message}", cause)
{
    public string Context { get; } = context;
}
