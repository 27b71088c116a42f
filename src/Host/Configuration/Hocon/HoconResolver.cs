using System.Text;

namespace V2V.Host.Configuration.Hocon;

/// <summary>
/// Replaces every <c>${path}</c> in a merged tree, after all files and --set overrides are merged, so a
/// substitution sees the final value. Lookup order: the config, then the environment. An undefined
/// <c>${?x}</c> keeps the value it overrode, or drops the field / list element (HOCON rules).
/// Substitution paths are absolute (from the root), also inside included files.
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject root;
    private readonly Func<string, string?> environment;
    private readonly Dictionary<HoconNode, HoconNode?> resolved = new(ReferenceEqualityComparer.Instance);
    private readonly List<HoconSubstitution> inProgress = [];

    private HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        this.root = root;
        this.environment = environment;
    }

    public static HoconObject Resolve(HoconObject root, Func<string, string?> environment) =>
        (HoconObject)new HoconResolver(root, environment).ResolveNode(root)!;

    /// <returns>The resolved node, or null when it is an undefined optional substitution.</returns>
    private HoconNode? ResolveNode(HoconNode node)
    {
        if (node is HoconScalar)
        {
            return node;
        }

        if (this.resolved.TryGetValue(node, out var done))
        {
            return done;
        }

        HoconNode? result = node switch
        {
            HoconObject obj => ResolveObject(obj),
            HoconArray array => ResolveArray(array),
            HoconSubstitution substitution => ResolveSubstitution(substitution),
            HoconConcatenation concatenation => ResolveConcatenation(concatenation),
            _ => throw new InvalidOperationException($"unknown node {node.GetType().Name}"),
        };
        this.resolved[node] = result;
        return result;
    }

    private HoconObject ResolveObject(HoconObject obj)
    {
        var result = new HoconObject(obj.Position);
        foreach (var key in obj.Keys)
        {
            obj.TryGet(key, out var child);
            if (ResolveNode(child) is { } value)
            {
                result.Set(key, value);
            }
        }

        return result;
    }

    private HoconArray ResolveArray(HoconArray array)
    {
        var result = new HoconArray(array.Position);
        foreach (var item in array.Items)
        {
            if (ResolveNode(item) is { } value)
            {
                result.Items.Add(value);
            }
        }

        return result;
    }

    private HoconNode? ResolveSubstitution(HoconSubstitution substitution)
    {
        int index = this.inProgress.IndexOf(substitution);
        if (index >= 0)
        {
            var chain = new StringBuilder();
            for (int i = index; i < this.inProgress.Count; i++)
            {
                chain.Append(this.inProgress[i].Spelling).Append(" -> ");
            }

            chain.Append(substitution.Spelling);
            throw new ConfigException(substitution.Position, substitution.KeyPath, $"substitution cycle: {chain}");
        }

        this.inProgress.Add(substitution);
        try
        {
            if (Lookup(substitution.Path) is { } found)
            {
                return found;
            }

            string name = HoconPath.Format(substitution.Path);
            if (this.environment(name) is { } env)
            {
                return new HoconScalar(substitution.Position, ScalarKind.String, env, quoted: true);
            }

            if (substitution.Fallback is { } fallback)
            {
                return ResolveNode(fallback);
            }

            if (substitution.Optional)
            {
                return null;
            }

            throw new ConfigException(
                substitution.Position,
                substitution.KeyPath,
                $"{substitution.Spelling} is not defined in the config nor as an environment variable");
        }
        finally
        {
            this.inProgress.RemoveAt(this.inProgress.Count - 1);
        }
    }

    // Walks the unresolved tree, resolving only what lies on the path, so `a { b = ${a.c}, c = 1 }` works.
    private HoconNode? Lookup(IReadOnlyList<string> path)
    {
        HoconNode? current = this.root;
        foreach (var segment in path)
        {
            if (current is HoconSubstitution or HoconConcatenation)
            {
                current = ResolveNode(current);
            }

            if (current is not HoconObject obj || !obj.TryGet(segment, out var child))
            {
                return null;
            }

            current = child;
        }

        return ResolveNode(current!);
    }

    private HoconScalar ResolveConcatenation(HoconConcatenation concatenation)
    {
        var text = new StringBuilder();
        foreach (var part in concatenation.Parts)
        {
            switch (ResolveNode(part))
            {
                case null:
                    break; // an undefined ${?x} inside a string becomes empty
                case HoconScalar scalar:
                    text.Append(scalar.Text);
                    break;
                default:
                    throw new ConfigException(
                        part.Position,
                        concatenation.KeyPath,
                        "an object or list cannot be joined with other values into a string");
            }
        }

        return new HoconScalar(concatenation.Position, ScalarKind.String, text.ToString(), quoted: true);
    }
}
