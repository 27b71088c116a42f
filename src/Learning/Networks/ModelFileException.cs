namespace V2V.Learning.Networks;

/// <summary>A model file that cannot be used: the message names the file and what is wrong with it.</summary>
public sealed class ModelFileException : Exception
{
    public ModelFileException(string source, string problem, Exception? inner = null)
        : base($"model file '{source}': {problem}", inner)
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file path (or the stream's given name).</summary>
    public new string Source { get; }

    public string Problem { get; }
}
