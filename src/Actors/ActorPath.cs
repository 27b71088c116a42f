namespace V2V.Actors;

/// <summary>
/// Where an actor lives, e.g. <c>v2v://sys/user/facility/ev-12</c>. Immutable; equal by its text.
/// <see cref="StableId"/> is a run-independent hash of that text (unlike string.GetHashCode) so
/// simulations can derive per-actor seeds from it.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    public const string Scheme = "v2v";

    private readonly string _text;

    private ActorPath(ActorPath? parent, string name, string text)
    {
        Parent = parent;
        Name = name;
        _text = text;
        StableId = Fnv1a64(text);
    }

    public ActorPath? Parent { get; }

    public string Name { get; }

    public ulong StableId { get; }

    public static ActorPath Root(string systemName)
    {
        ValidateName(systemName);
        return new ActorPath(null, systemName, $"{Scheme}://{systemName}");
    }

    public ActorPath Child(string name)
    {
        ValidateName(name);
        return new ActorPath(this, name, _text + "/" + name);
    }

    public static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal))
        {
            throw new InvalidActorNameException($"Actor name '{name}' must not contain '/' or ':'.");
        }
    }

    public override string ToString() => _text;

    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ActorPath p && Equals(p);

    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    public static bool operator ==(ActorPath? a, ActorPath? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(ActorPath? a, ActorPath? b) => !(a == b);

    // FNV-1a over UTF-16 code units: tiny, stable across processes and .NET versions.
    private static ulong Fnv1a64(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}

public sealed class InvalidActorNameException(string message) : Exception(message);
