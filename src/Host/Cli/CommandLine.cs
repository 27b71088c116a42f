using V2V.Host.Configuration;

namespace V2V.Host.Cli;

/// <summary>
/// The `v2v` command: dispatches to one command per verb. Exit codes: 0 success, 1 the command ran and found a
/// problem (for example `verify` found violations) or failed unexpectedly, 2 bad input (arguments, configuration, input
/// files). An unexpected exception never reaches the user as a stack trace: it becomes one line naming the command,
/// where it happened (<see cref="FailureContextException"/>) and the cause; the trace follows only with --verbose.
/// </summary>
public static class CommandLine
{
    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new Clear.ClearCommand(),
        new Verify.VerifyCommand(),
        new Run.RunCommand(),
        new Train.TrainCommand(),
        new Export.ExportCommand(),
        new Study.StudyCommand(),
        new Node.NodeCommand(),
    ];

    /// <summary>The global flag that adds the stack trace to an unexpected failure's one-line message.</summary>
    public const string Verbose = "--verbose";

    public static int Run(string[] args)
    {
        // A failure on another thread (an actor's, the thread pool's) would end the process with a trace and exit 134.
        bool verbose = args.Contains(Verbose);
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            var failure = e.ExceptionObject as Exception ?? new InvalidOperationException($"{e.ExceptionObject}");
            Console.Error.WriteLine(FailureMessage.Format(args.FirstOrDefault(a => a != Verbose) ?? "", failure, verbose));
            if (verbose)
            {
                Console.Error.WriteLine(failure);
            }

            Environment.Exit(1);
        };
        return Run(args, Console.Out, Console.Error);
    }

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error) => Run(args, output, error, Commands);

    /// <summary>Runs the command line over <paramref name="commands"/> (tests inject a failing command here).</summary>
    internal static int Run(IReadOnlyList<string> allArgs, TextWriter output, TextWriter error, IReadOnlyList<ICommand> commands)
    {
        bool verbose = allArgs.Contains(Verbose);
        var args = allArgs.Where(a => a != Verbose).ToArray();
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            output.Write(Overview());
            return args.Length == 0 ? 2 : 0;
        }

        ICommand? command = null;
        foreach (var c in commands)
        {
            if (c.Name == args[0])
            {
                command = c;
            }
        }

        if (command is null)
        {
            error.WriteLine($"v2v: unknown command '{args[0]}'; commands: {string.Join(", ", commands.Select(c => c.Name))}. See 'v2v --help'.");
            return 2;
        }

        var rest = args.Skip(1).ToArray();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            output.Write(HelpFor(command));
            return 0;
        }

        try
        {
            var parsed = Arguments.Parse(command.Name, rest, command.Options, command.MaxPositional);
            return command.Execute(parsed, output, error);
        }
        catch (Exception e) when (e is UsageException or ConfigException)
        {
            error.WriteLine($"v2v {command.Name}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (FailureMessage.AkkaSettingProblem(command.Name, e) is { } refused)
        {
            error.WriteLine(refused);
            return 2;
        }
        catch (Exception e)
        {
            error.WriteLine(FailureMessage.Format(command.Name, e, verbose));
            if (verbose)
            {
                error.WriteLine(e);
            }

            return 1;
        }
    }

    private static string Overview()
    {
        var w = new StringWriter();
        w.WriteLine("v2v: peer-to-peer vehicle-to-vehicle energy trading on actors (Nash bargaining, Nash-MADDPG).");
        w.WriteLine();
        w.WriteLine("usage: v2v COMMAND [options]     v2v COMMAND --help for its options");
        w.WriteLine();
        foreach (var c in Commands)
        {
            w.WriteLine($"  {c.Name,-8} {c.Summary}");
        }

        w.WriteLine();
        w.WriteLine("Every command takes --config FILE and --set PATH=VALUE (repeatable) over hocon/reference.conf;");
        w.WriteLine("a key under v2v that reference.conf lacks is an error naming the nearest known key.");
        w.WriteLine("Exit codes: 0 ok, 1 the command found a problem or failed, 2 bad input (one line naming the option or key).");
        w.WriteLine("An unexpected failure prints one line (command, where, cause); add --verbose (anywhere) for its stack trace.");
        return w.ToString();
    }

    public static string HelpFor(ICommand command)
    {
        var w = new StringWriter();
        w.WriteLine(command.Help.TrimEnd());
        w.WriteLine();
        w.WriteLine("options:");
        foreach (var o in command.Options)
        {
            var left = o.ValueName is null ? $"--{o.Name}" : $"--{o.Name} {o.ValueName}";
            w.WriteLine($"  {left,-28} {o.Description}");
        }

        w.WriteLine($"  {Verbose,-28} on an unexpected failure, print the stack trace after the one-line error");

        return w.ToString();
    }
}
