using System.Reflection;
using V2V.Host.Configuration.Hocon;

namespace V2V.Host.Configuration;

/// <summary>
/// Builds the configuration of a command: the embedded reference.conf, overlaid by <c>--config FILE</c>
/// (if given), overlaid by each <c>--set path=value</c> in order; substitutions are resolved last, so
/// <c>${v2v.x}</c> sees the overridden value; then command-line options (<see cref="OptionOverride"/>) win over all.
/// Every key under <c>v2v</c> must be one of reference.conf's (<see cref="KnownKeys"/>). The same stack configures
/// Akka.NET: keys under <c>akka</c> are read here like any other and reach the actor system through
/// <see cref="Config.ToAkkaConfig"/> (<see cref="AkkaSection"/>).
/// </summary>
public static class ConfigLoader
{
    /// <summary>The name under which hocon/reference.conf is embedded in the Host assembly.</summary>
    public const string ReferenceResourceName = "reference.conf";

    public static Config Load(string? configFile, IReadOnlyList<string> sets) =>
        Load(configFile, sets, [], Environment.GetEnvironmentVariable);

    public static Config Load(string? configFile, IReadOnlyList<string> sets, IReadOnlyList<OptionOverride> options) =>
        Load(configFile, sets, options, Environment.GetEnvironmentVariable);

    /// <param name="environment">Looks up <c>${NAME}</c> when NAME is not a config key (injected by tests).</param>
    public static Config Load(string? configFile, IReadOnlyList<string> sets, Func<string, string?> environment) =>
        Load(configFile, sets, [], environment);

    /// <param name="options">Values given by command-line options, applied last; errors about them name the option.</param>
    /// <param name="environment">Looks up <c>${NAME}</c> when NAME is not a config key (injected by tests).</param>
    public static Config Load(
        string? configFile, IReadOnlyList<string> sets, IReadOnlyList<OptionOverride> options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var root = ParseText(ReadReference(), ReferenceResourceName);
        if (configFile is not null)
        {
            if (Directory.Exists(configFile))
            {
                throw new ConfigException(
                    new SourcePosition(configFile, 0, 0), "", $"--config names a directory, not a config file (looked at {Path.GetFullPath(configFile)})");
            }

            if (!File.Exists(configFile))
            {
                throw new ConfigException(
                    new SourcePosition(configFile, 0, 0), "", $"config file not found (looked at {Path.GetFullPath(configFile)})");
            }

            root.MergeFrom(ParseFile(configFile, new SourcePosition(configFile, 0, 0), [], []));
        }

        foreach (var set in sets)
        {
            root.MergeFrom(ParseSet(set));
        }

        foreach (var option in options)
        {
            root.MergeFrom(option.ToTree());
        }

        var resolved = HoconResolver.Resolve(root, environment);
        KnownKeys.Check(resolved);
        var config = new Config(resolved, []);
        AkkaSection.Check(config);
        return config;
    }

    /// <summary>Parses and resolves one HOCON text on its own (no reference.conf); includes are relative to <paramref name="sourceName"/>.</summary>
    public static Config Parse(string text, string sourceName, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = ParseText(text, sourceName);
        return new Config(HoconResolver.Resolve(root, environment ?? Environment.GetEnvironmentVariable), []);
    }

    /// <summary>The text of the embedded reference.conf.</summary>
    public static string ReadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ReferenceResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ReferenceResourceName} is missing from the Host assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static HoconObject ParseText(string text, string sourceName) =>
        HoconParser.ParseDocument(text, sourceName, IncludeFrom(sourceName, []));

    // "--set a.b=1" is parsed as the one-line HOCON document "a.b=1", named after the argument in errors.
    private static HoconObject ParseSet(string set)
    {
        var source = $"--set '{set}'";
        if (!set.Contains('=', StringComparison.Ordinal) && !set.Contains(':', StringComparison.Ordinal))
        {
            throw new ConfigException(new SourcePosition(source, 0, 0), "", "expected path=value");
        }

        return HoconParser.ParseDocument(set, source, IncludeFrom(Path.Combine(".", "--set"), []));
    }

    // `chain` holds the full paths of the files being included, to report include cycles.
    private static HoconObject ParseFile(string displayPath, SourcePosition at, IReadOnlyList<string> keyPath, IReadOnlyList<string> chain)
    {
        string full = Path.GetFullPath(displayPath);
        string key = HoconPath.Format(keyPath);
        if (chain.Contains(full, StringComparer.Ordinal))
        {
            throw new ConfigException(at, key, $"include cycle: {string.Join(" -> ", chain)} -> {full}");
        }

        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(at, key, $"cannot read {displayPath}: {e.Message}");
        }

        return HoconParser.ParseDocument(text, displayPath, IncludeFrom(displayPath, [.. chain, full]), keyPath);
    }

    // Included names are relative to the including file's folder; a missing include is an error (unlike HOCON).
    private static IncludeHandler IncludeFrom(string includingFile, IReadOnlyList<string> chain) =>
        (name, at, keyPath) =>
        {
            string folder = Path.GetDirectoryName(includingFile) ?? "";
            string target = Path.IsPathRooted(name) ? name : Path.Combine(folder, name);
            if (!File.Exists(target))
            {
                throw new ConfigException(
                    at, HoconPath.Format(keyPath), $"included file \"{name}\" not found (looked at {Path.GetFullPath(target)})");
            }

            return ParseFile(target, at, keyPath, chain);
        };
}
