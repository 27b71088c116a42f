using V2V.Host.Configuration.Hocon;

namespace V2V.Host.Configuration;

/// <summary>
/// The keys a configuration may set under <c>v2v</c>: exactly those of the embedded reference.conf. A key under
/// <c>v2v</c> that reference.conf lacks is a typo (a misspelt fault probability would silently leave faults off), so
/// it is an error naming the key, where it was written and the nearest known key. Keys outside <c>v2v</c> (another
/// library's section, a file's own helper values for substitutions) are not checked.
/// </summary>
internal static class KnownKeys
{
    private const string Root = "v2v";

    // Full dotted paths of every object and value under v2v in reference.conf; a list is one value (not descended).
    private static readonly Lazy<HashSet<string>> Reference = new(() =>
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var root = HoconParser.ParseDocument(ConfigLoader.ReadReference(), ConfigLoader.ReferenceResourceName, include: null);
        if (root.TryGet(Root, out var v2v) && v2v is HoconObject obj)
        {
            Collect(obj, [Root], paths);
        }

        return paths;
    });

    /// <summary>Throws a <see cref="ConfigException"/> for the first key under v2v (in written order) that reference.conf lacks.</summary>
    public static void Check(HoconObject resolvedRoot)
    {
        if (resolvedRoot.TryGet(Root, out var v2v) && v2v is HoconObject obj)
        {
            CheckObject(obj, [Root], Reference.Value);
        }
    }

    private static void Collect(HoconObject obj, List<string> path, HashSet<string> paths)
    {
        foreach (var key in obj.Keys)
        {
            obj.TryGet(key, out var child);
            List<string> childPath = [.. path, key];
            paths.Add(HoconPath.Format(childPath));
            if (child is HoconObject nested)
            {
                Collect(nested, childPath, paths);
            }
        }
    }

    private static void CheckObject(HoconObject obj, List<string> path, HashSet<string> known)
    {
        foreach (var key in obj.Keys)
        {
            obj.TryGet(key, out var child);
            List<string> childPath = [.. path, key];
            string full = HoconPath.Format(childPath);
            if (!known.Contains(full))
            {
                throw new ConfigException(child.Position, full, $"unknown key; {Suggest(full, HoconPath.Format(path), known)}");
            }

            // An object where reference.conf has a value is left to the binder, which reports the type.
            if (child is HoconObject nested)
            {
                CheckObject(nested, childPath, known);
            }
        }
    }

    // The nearest known key by edit distance when it is close enough to be a typo, else the keys known at that level.
    private static string Suggest(string unknown, string parent, HashSet<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known.Order(StringComparer.Ordinal))
        {
            int d = EditDistance(unknown, candidate);
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }

        int lastSegment = unknown.Length - parent.Length - 1;
        if (best is not null && bestDistance <= Math.Max(2, lastSegment / 2))
        {
            return $"did you mean {best}?";
        }

        var siblings = known
            .Where(k => k.StartsWith(parent + ".", StringComparison.Ordinal) && !k[(parent.Length + 1)..].Contains('.', StringComparison.Ordinal))
            .Select(k => k[(parent.Length + 1)..])
            .Order(StringComparer.Ordinal);
        return $"the keys under {parent} are {string.Join(", ", siblings)} (see hocon/reference.conf)";
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions), two rows.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
