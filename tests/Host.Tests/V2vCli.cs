using V2V.Host.Cli;

namespace V2V.Host.Tests;

/// <summary>Runs the `v2v` command line in process and captures what it prints.</summary>
internal static class V2vCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
