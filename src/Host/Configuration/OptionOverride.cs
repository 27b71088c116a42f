using System.Globalization;
using V2V.Host.Configuration.Hocon;

namespace V2V.Host.Configuration;

/// <summary>
/// A configuration value given by a command-line option (<c>--days 3</c> sets <c>v2v.time.days</c>). Its source is the
/// option as typed, so an error about the value reads <c>--days 150000000: v2v.time.days: ...</c>.
/// </summary>
/// <param name="Option">The option's name without dashes.</param>
/// <param name="Value">The value as typed; a number stays a number unless <paramref name="AsString"/>.</param>
/// <param name="KeyPath">The dotted key the option sets.</param>
/// <param name="AsString">Keep the value a string even when it spells a number (paths, names).</param>
public sealed record OptionOverride(string Option, string Value, string KeyPath, bool AsString = false)
{
    internal HoconObject ToTree()
    {
        // Line 0: the position prints as the option alone, without a line and column.
        var at = new SourcePosition($"--{Option} {Value}", 0, 0);
        bool number = !AsString && double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        HoconNode node = new HoconScalar(at, number ? ScalarKind.Number : ScalarKind.String, Value, quoted: !number);
        var segments = HoconPath.Parse(KeyPath);
        for (int i = segments.Count - 1; i >= 0; i--)
        {
            var parent = new HoconObject(at);
            parent.Set(segments[i], node);
            node = parent;
        }

        return (HoconObject)node;
    }
}
