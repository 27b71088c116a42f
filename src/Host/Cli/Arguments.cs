namespace V2V.Host.Cli;

/// <summary>One option a command accepts: `--name VALUE` (or `--name=VALUE`), or a flag when it takes no value.</summary>
public sealed record OptionSpec(string Name, string? ValueName, string Description, bool Repeatable = false);

/// <summary>A bad command line; the message names the argument and the problem. Exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A parsed command line: option values by name, and positional arguments in order.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public bool Has(string name) => values.ContainsKey(name);

    public string? Get(string name) => values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => values.TryGetValue(name, out var v) ? v : [];

    public int GetInt(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Get(name) is { } s ? ParseInt(name, s, min, max) : fallback;

    /// <summary>A whole number in [min, max]; anything else (text, a fraction, out of range or of int) names the range.</summary>
    public static int ParseInt(string name, string text, int min, int max = int.MaxValue)
    {
        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v)
            || v < min || v > max)
        {
            throw new UsageException($"--{name}: expected a whole number in [{min}, {max}], got '{text}'");
        }

        return v;
    }

    /// <summary>Parses <paramref name="args"/> against <paramref name="options"/>; unknown options are errors.</summary>
    public static Arguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options, int maxPositional)
    {
        var result = new Arguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                if (result.Positional.Count >= maxPositional)
                {
                    throw new UsageException($"unexpected argument '{arg}' for 'v2v {command}'; see 'v2v {command} --help'");
                }

                result.Positional.Add(arg);
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            OptionSpec? spec = null;
            foreach (var o in options)
            {
                if (o.Name == name)
                {
                    spec = o;
                }
            }

            if (spec is null)
            {
                throw new UsageException($"unknown option '--{name}' for 'v2v {command}'; see 'v2v {command} --help'");
            }

            string value;
            if (spec.ValueName is null)
            {
                if (eq > 0)
                {
                    throw new UsageException($"--{name}: takes no value");
                }

                value = "true";
            }
            else if (eq > 0)
            {
                value = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"--{name}: missing value {spec.ValueName}");
            }

            if (!result.values.TryGetValue(name, out var list))
            {
                result.values[name] = list = [];
            }
            else if (!spec.Repeatable)
            {
                throw new UsageException($"--{name}: given more than once");
            }

            list.Add(value);
        }

        return result;
    }
}
