namespace V2V.Host.Configuration;

/// <summary>Where a config value was written: file (or "--set ..." argument), 1-based line and column.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>
/// A configuration error. The message always starts with the source position and, when known, the key path,
/// e.g. <c>hocon/my.conf:12:5: v2v.vehicle.battery-kwh: expected a number &gt; 0, got -3</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(SourcePosition position, string keyPath, string detail)
        : base(Format(position, keyPath, detail))
    {
        Position = position;
        KeyPath = keyPath;
        Detail = detail;
    }

    public SourcePosition Position { get; }

    /// <summary>The dotted key path the error is about; empty when the error is not about one key.</summary>
    public string KeyPath { get; }

    /// <summary>The message without the position and key prefix.</summary>
    public string Detail { get; }

    private static string Format(SourcePosition position, string keyPath, string detail) =>
        keyPath.Length == 0 ? $"{position}: {detail}" : $"{position}: {keyPath}: {detail}";
}
