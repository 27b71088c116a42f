using V2V.Host.Cli;

namespace V2V.Host.Tests.Cli;

/// <summary>An unexpected exception in any command is one line (command, where, cause) and exit 1; the trace only with --verbose.</summary>
public sealed class CommandLineFailureTests
{
    [Fact]
    public void Run_CommandThrowsWithContext_OneLineNamingCommandStepAndCauseExitOne()
    {
        var (code, output, error) = Run("fail");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
            "v2v fail: failed at step 17, book 3: InvalidOperationException: injected (internal error; --verbose shows the stack trace)",
            error.TrimEnd());
    }

    [Fact]
    public void Run_CommandThrowsWithContextVerbose_AddsTheStackTrace()
    {
        var (code, _, error) = Run("fail", "--verbose");

        Assert.Equal(1, code);
        var lines = error.TrimEnd().Split('\n');
        Assert.Equal("v2v fail: failed at step 17, book 3: InvalidOperationException: injected", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && l.Contains(nameof(FailingCommand), StringComparison.Ordinal));
    }

    [Fact]
    public void Run_VerboseBeforeTheCommand_IsTheSameGlobalFlag()
    {
        var (code, _, error) = Run("--verbose", "fail");

        Assert.Equal(1, code);
        Assert.StartsWith("v2v fail: failed at step 17, book 3: InvalidOperationException: injected\n", error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AggregateOfOne_ReportsTheInnerCauseWithoutContext()
    {
        var (code, _, error) = Run("aggregate");

        Assert.Equal(1, code);
        Assert.Equal("v2v aggregate: failed: ArgumentException: inner cause (internal error; --verbose shows the stack trace)", error.TrimEnd());
    }

    [Fact]
    public void Run_BadInputStillExitsTwo_NotOne()
    {
        var (code, _, error) = Run("fail", "--bogus");

        Assert.Equal(2, code);
        Assert.StartsWith("v2v fail: unknown option '--bogus'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_EveryCommand_DocumentsVerbose()
    {
        Assert.Contains("--verbose", V2vCli.Run("--help").Out, StringComparison.Ordinal);
        foreach (var command in CommandLine.Commands)
        {
            Assert.Contains("--verbose", V2vCli.Run(command.Name, "--help").Out, StringComparison.Ordinal);
        }
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLine.Run(args, output, error, [new FailingCommand("fail"), new FailingCommand("aggregate")]);
        return (code, output.ToString(), error.ToString());
    }

    // The injected failure: an internal error deep in a command, wrapped with where it happened as a run would wrap it.
    private sealed class FailingCommand(string name) : ICommand
    {
        public string Name => name;

        public string Summary => "fails";

        public string Help => "usage: v2v fail";

        public IReadOnlyList<OptionSpec> Options { get; } = [CommonOptions.Help];

        public int MaxPositional => 0;

        public int Execute(Arguments args, TextWriter output, TextWriter error) => name == "aggregate"
            ? throw new AggregateException(new ArgumentException("inner cause"))
            : throw new FailureContextException("step 17", new FailureContextException("book 3", Deep()));

        private static InvalidOperationException Deep()
        {
            try
            {
                throw new InvalidOperationException("injected");
            }
            catch (InvalidOperationException e)
            {
                return e;
            }
        }
    }
}
