namespace V2V.Host.Cli;

/// <summary>The `v2v` command: dispatches to one command per verb.</summary>
public static class CommandLine
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("v2v: no commands yet");
        return 2;
    }
}
