using V2V.Host.Configuration;

namespace V2V.Host.Cli;

/// <summary>The options every command takes: the configuration file and overrides.</summary>
public static class CommonOptions
{
    public static readonly OptionSpec Config = new("config", "FILE", "HOCON file layered over the embedded defaults (hocon/reference.conf)");

    public static readonly OptionSpec Set = new("set", "PATH=VALUE", "override one setting, e.g. --set v2v.clearing.epsilon=0.002 (repeatable; keys under v2v must exist)", Repeatable: true);

    public static readonly OptionSpec Help = new("help", null, "show this help");

    public static Config LoadConfig(Arguments args) => ConfigLoader.Load(args.Get("config"), args.GetAll("set"));
}
