using System.Numerics;

namespace V2V.Learning.Nn;

/// <summary>One named network in a checkpoint, with its optimiser when its training state is worth keeping.</summary>
public sealed record CheckpointEntry<T>(string Name, Mlp<T> Network, AdamOptimizer<T>? Optimizer = null)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;

/// <summary>
/// What a <see cref="ModelFile"/> holds: free-form string metadata (run id, episode, config hash...) and named
/// networks. After <see cref="ModelFile.Load{T}(string)"/> the entries are fresh objects;
/// <see cref="RestoreInto"/> copies one into networks the caller already owns, checking the shape.
/// </summary>
public sealed class ModelCheckpoint<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Dictionary<string, CheckpointEntry<T>> _byName = new(StringComparer.Ordinal);

    public ModelCheckpoint(IEnumerable<CheckpointEntry<T>> entries, IReadOnlyDictionary<string, string>? metadata = null, string source = "(memory)")
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<CheckpointEntry<T>>();
        foreach (CheckpointEntry<T> entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry);
            ArgumentNullException.ThrowIfNull(entry.Network);
            if (entry.Optimizer is not null && !ReferenceEquals(entry.Optimizer.Network, entry.Network))
            {
                throw new ArgumentException($"the optimiser of '{entry.Name}' trains a different network");
            }

            if (!_byName.TryAdd(entry.Name, entry))
            {
                throw new ArgumentException($"two networks are named '{entry.Name}'");
            }

            list.Add(entry);
        }

        Entries = list;
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        Source = source;
    }

    public IReadOnlyList<CheckpointEntry<T>> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Where it was loaded from, for messages.</summary>
    public string Source { get; }

    public CheckpointEntry<T> this[string name] =>
        _byName.TryGetValue(name, out CheckpointEntry<T>? entry)
            ? entry
            : throw new ModelFileException(Source, $"has no network '{name}' (it holds: {string.Join(", ", _byName.Keys)})");

    /// <summary>
    /// Copies the named network's parameters into <paramref name="target"/> and, when given, its optimiser state
    /// into <paramref name="optimizer"/>. A shape mismatch or missing optimiser state is a <see cref="ModelFileException"/>.
    /// </summary>
    public void RestoreInto(string name, Mlp<T> target, AdamOptimizer<T>? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        CheckpointEntry<T> entry = this[name];
        if (!entry.Network.HasSameShape(target))
        {
            throw new ModelFileException(
                Source,
                $"shape mismatch for network '{name}': file has [{string.Join(", ", entry.Network.Shape)}], target is [{string.Join(", ", target.Shape)}]");
        }

        if (optimizer is not null)
        {
            if (entry.Optimizer is null)
            {
                throw new ModelFileException(Source, $"network '{name}' was saved without optimiser state");
            }

            if (!ReferenceEquals(optimizer.Network, target))
            {
                throw new ArgumentException("the optimiser must train the target network", nameof(optimizer));
            }

            optimizer.Restore(entry.Optimizer.StepCount, entry.Optimizer.FirstMoment, entry.Optimizer.SecondMoment);
        }

        target.CopyFrom(entry.Network);
    }
}
