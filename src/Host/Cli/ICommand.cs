namespace V2V.Host.Cli;

/// <summary>One verb of the `v2v` command line.</summary>
public interface ICommand
{
    string Name { get; }

    string Summary { get; }

    /// <summary>Usage line(s) and a paragraph on what the command does, shown by --help.</summary>
    string Help { get; }

    IReadOnlyList<OptionSpec> Options { get; }

    int MaxPositional { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    int Execute(Arguments args, TextWriter output, TextWriter error);
}
