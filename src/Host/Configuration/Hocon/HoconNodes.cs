namespace V2V.Host.Configuration.Hocon;

// The syntax tree of a HOCON document. Parsing builds it, merging mutates objects in place (the trees are
// private to one load), and the resolver produces a new tree holding only objects, arrays and scalars.

internal abstract class HoconNode(SourcePosition position)
{
    public SourcePosition Position { get; } = position;
}

internal enum ScalarKind { String, Number, Boolean, Null }

/// <summary>A leaf value. <see cref="Text"/> is the value as written (numbers keep their spelling).</summary>
internal sealed class HoconScalar(SourcePosition position, ScalarKind kind, string text, bool quoted) : HoconNode(position)
{
    public ScalarKind Kind { get; } = kind;
    public string Text { get; } = text;
    public bool Quoted { get; } = quoted;
}

internal sealed class HoconArray(SourcePosition position) : HoconNode(position)
{
    public List<HoconNode> Items { get; } = [];
}

/// <summary>An object whose keys keep their first-insertion order (so ToJson is stable).</summary>
internal sealed class HoconObject(SourcePosition position) : HoconNode(position)
{
    private readonly List<string> keys = [];
    private readonly Dictionary<string, HoconNode> fields = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Keys => this.keys;

    public bool TryGet(string key, out HoconNode value) => this.fields.TryGetValue(key, out value!);

    public void Set(string key, HoconNode value)
    {
        if (!this.fields.ContainsKey(key))
        {
            this.keys.Add(key);
        }

        this.fields[key] = value;
    }

    /// <summary>
    /// HOCON duplicate-key rule: two objects merge (the later one's fields win); anything else replaces,
    /// except an optional substitution, which keeps the earlier value as its fallback (<c>x = 1, x = ${?X}</c>).
    /// </summary>
    public void Merge(string key, HoconNode value)
    {
        if (this.fields.TryGetValue(key, out var existing))
        {
            if (existing is HoconObject earlier && value is HoconObject later)
            {
                earlier.MergeFrom(later);
                return;
            }

            if (value is HoconSubstitution { Optional: true, Fallback: null } optional)
            {
                optional.Fallback = existing;
            }
        }

        Set(key, value);
    }

    public void MergeFrom(HoconObject other)
    {
        foreach (var key in other.Keys)
        {
            Merge(key, other.fields[key]);
        }
    }
}

/// <summary><c>${path}</c> or <c>${?path}</c>; <see cref="KeyPath"/> is where it was written, for errors.</summary>
internal sealed class HoconSubstitution(SourcePosition position, IReadOnlyList<string> path, bool optional, string keyPath)
    : HoconNode(position)
{
    public IReadOnlyList<string> Path { get; } = path;
    public bool Optional { get; } = optional;
    public string KeyPath { get; } = keyPath;

    /// <summary>The value this optional substitution overrode; used when the substitution is undefined.</summary>
    public HoconNode? Fallback { get; set; }

    public string Spelling => "${" + (Optional ? "?" : "") + HoconPath.Format(Path) + "}";
}

/// <summary>Scalars and substitutions written next to each other on one line; resolves to a string.</summary>
internal sealed class HoconConcatenation(SourcePosition position, IReadOnlyList<HoconNode> parts, string keyPath)
    : HoconNode(position)
{
    public IReadOnlyList<HoconNode> Parts { get; } = parts;
    public string KeyPath { get; } = keyPath;
}
