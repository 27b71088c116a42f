using System.Globalization;
using V2V.Host.Configuration.Hocon;

namespace V2V.Host.Configuration;

/// <summary>
/// A resolved configuration tree (no substitutions left). Paths are dotted (<c>v2v.vehicle.battery-kwh</c>)
/// and relative to this tree; errors always name the full key path from the root and the source position.
/// Strings that spell a number or boolean are accepted where one is expected (HOCON conversion rules),
/// which is what makes <c>${?ENV}</c> values usable as numbers.
/// </summary>
public sealed class Config
{
    private readonly HoconObject root;
    private readonly IReadOnlyList<string> prefix;

    internal Config(HoconObject root, IReadOnlyList<string> prefix)
    {
        this.root = root;
        this.prefix = prefix;
    }

    /// <summary>The keys directly under this tree, in the order they were first written.</summary>
    public IReadOnlyList<string> Keys => this.root.Keys;

    /// <summary>True when the path exists and is not null.</summary>
    public bool HasPath(string path) => Find(path, out _) is { } node && node is not HoconScalar { Kind: ScalarKind.Null };

    public double GetDouble(string path) => ToDouble(path, Scalar(path, "a number"));

    public int GetInt(string path)
    {
        double value = GetDouble(path);
        if (value != Math.Floor(value))
        {
            throw Error(path, $"expected a whole number, got {Describe(Require(path))}");
        }

        if (value < int.MinValue || value > int.MaxValue)
        {
            throw Error(path, $"expected a whole number in [{int.MinValue}, {int.MaxValue}], got {Describe(Require(path))}");
        }

        return (int)value;
    }

    public string GetString(string path) => Scalar(path, "a string").Text;

    public bool GetBool(string path)
    {
        var scalar = Scalar(path, "a boolean");
        return scalar.Text switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(path, $"expected a boolean (true/false/yes/no/on/off), got {Describe(scalar)}"),
        };
    }

    /// <summary>A duration such as 30m, 500ms, 2s, 1h, 1.5d; a bare number is milliseconds.</summary>
    public TimeSpan GetDuration(string path)
    {
        var scalar = Scalar(path, "a duration");
        if (!DurationParser.TryParse(scalar.Text, out var value))
        {
            throw Error(path, $"expected a duration such as 500ms, 2s, 30m, 1h, got {Describe(scalar)}");
        }

        return value;
    }

    public IReadOnlyList<double> GetDoubleList(string path)
    {
        var items = List(path);
        var result = new double[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            string itemPath = path + $".[{i}]";
            result[i] = ToDouble(itemPath, items[i] as HoconScalar ?? throw ItemError(path, i, "a number", items[i]));
        }

        return result;
    }

    public IReadOnlyList<int> GetIntList(string path)
    {
        var values = GetDoubleList(path);
        var result = new int[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] != Math.Floor(values[i]) || values[i] < int.MinValue || values[i] > int.MaxValue)
            {
                throw ItemError(path, i, "a whole number", List(path)[i]);
            }

            result[i] = (int)values[i];
        }

        return result;
    }

    public IReadOnlyList<string> GetStringList(string path)
    {
        var items = List(path);
        var result = new string[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            result[i] = items[i] is HoconScalar { Kind: not ScalarKind.Null } s ? s.Text : throw ItemError(path, i, "a string", items[i]);
        }

        return result;
    }

    /// <summary>The sub-tree at the path; its errors still name full key paths.</summary>
    public Config GetConfig(string path)
    {
        var node = Require(path);
        if (node is not HoconObject obj)
        {
            throw Error(path, $"expected an object, got {Describe(node)}");
        }

        return new Config(obj, [.. this.prefix, .. HoconPath.Parse(path)]);
    }

    /// <summary>Where the value at the path was written; for a missing key, where its nearest parent was.</summary>
    public SourcePosition PositionOf(string path) => (Find(path, out var parent) ?? parent).Position;

    /// <summary>The full dotted key path from the root, as errors print it.</summary>
    public string KeyPathOf(string path) => HoconPath.Format([.. this.prefix, .. HoconPath.Parse(path)]);

    /// <summary>An error about the value at the path, for binders: <c>throw config.Error(path, "...")</c>.</summary>
    public ConfigException Error(string path, string detail) => new(PositionOf(path), KeyPathOf(path), detail);

    /// <summary>
    /// The resolved tree as indented JSON (written into each run folder, and the base of a study's fingerprint), without
    /// the top-level <c>akka</c> section: it tunes the actor runtime, which by the determinism guarantee cannot change a
    /// run's results, so a log level given to a resumed study must not make its folder look like another study's.
    /// </summary>
    public string ToJson() => ConfigJsonWriter.Write(this.root, this.prefix.Count == 0 ? AkkaSection.Root : null);

    /// <summary>
    /// The <c>akka</c> section of this loaded configuration as Akka.NET's own Config, to start the actor system with:
    /// reference.conf's akka defaults overlaid by --config and --set, substitutions resolved; Akka's built-in defaults
    /// apply to every key not set. Call it on the root that <see cref="ConfigLoader.Load(string?, IReadOnlyList{string})"/>
    /// returned, not on a sub-tree.
    /// </summary>
    public Akka.Configuration.Config ToAkkaConfig() =>
        this.prefix.Count == 0
            ? AkkaSection.Build(this.root)
            : throw new InvalidOperationException($"ToAkkaConfig is for the root configuration, not the sub-tree {HoconPath.Format(this.prefix)}");

    internal static string Describe(HoconNode node) => node switch
    {
        HoconObject => "an object",
        HoconArray => "a list",
        HoconScalar { Quoted: true } s => $"\"{s.Text}\"",
        HoconScalar s => s.Text,
        _ => node.GetType().Name,
    };

    private double ToDouble(string path, HoconScalar scalar)
    {
        if (scalar.Kind is ScalarKind.Number or ScalarKind.String
            && double.TryParse(scalar.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && double.IsFinite(value))
        {
            return value;
        }

        throw Error(path, $"expected a number, got {Describe(scalar)}");
    }

    private HoconScalar Scalar(string path, string expected)
    {
        var node = Require(path);
        return node is HoconScalar { Kind: not ScalarKind.Null } scalar
            ? scalar
            : throw Error(path, $"expected {expected}, got {Describe(node)}");
    }

    private List<HoconNode> List(string path)
    {
        var node = Require(path);
        return node is HoconArray array ? array.Items : throw Error(path, $"expected a list, got {Describe(node)}");
    }

    private ConfigException ItemError(string path, int index, string expected, HoconNode item) =>
        new(item.Position, KeyPathOf(path) + $"[{index}]", $"expected {expected}, got {Describe(item)}");

    private HoconNode Require(string path) =>
        Find(path, out _) ?? throw Error(path, "is missing (no value at this key)");

    // Returns the node at the path (array items as ".[i]") or null; `deepest` is the last node reached.
    private HoconNode? Find(string path, out HoconNode deepest)
    {
        HoconNode current = this.root;
        deepest = current;
        foreach (var segment in HoconPath.Parse(path))
        {
            HoconNode? next = null;
            if (current is HoconObject obj && obj.TryGet(segment, out var child))
            {
                next = child;
            }
            else if (current is HoconArray array && segment.StartsWith('[') && segment.EndsWith(']')
                && int.TryParse(segment.AsSpan(1, segment.Length - 2), CultureInfo.InvariantCulture, out int i)
                && i >= 0 && i < array.Items.Count)
            {
                next = array.Items[i];
            }

            if (next is null)
            {
                return null;
            }

            current = next;
            deepest = current;
        }

        return current;
    }
}
