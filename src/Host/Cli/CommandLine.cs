using V2V.Host.Configuration;

namespace V2V.Host.Cli;

/// <summary>
/// The `v2v` command: dispatches to one command per verb. Exit codes: 0 success, 1 the command ran and found a
/// problem (for example `verify` found violations), 2 bad input (arguments, configuration, input files).
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
    ];

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
        {
            output.Write(Overview());
            return args.Count == 0 ? 2 : 0;
        }

        ICommand? command = null;
        foreach (var c in Commands)
        {
            if (c.Name == args[0])
            {
                command = c;
            }
        }

        if (command is null)
        {
            error.WriteLine($"v2v: unknown command '{args[0]}'; commands: {string.Join(", ", Names())}. See 'v2v --help'.");
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
    }

    private static IEnumerable<string> Names() => Commands.Select(c => c.Name);

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
        w.WriteLine("Every command takes --config FILE and --set PATH=VALUE (repeatable) over hocon/reference.conf.");
        w.WriteLine("Exit codes: 0 ok, 1 the command found a problem, 2 bad input.");
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

        return w.ToString();
    }
}
