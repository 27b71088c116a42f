using System.Collections;
using System.Reflection;

namespace V2V.Simulation.Tests.Serialization;

/// <summary>
/// Whether a message came back from the wire unchanged: same type, and field by field (through nested records, arrays
/// and lists element by element) the same values, doubles and floats compared bit for bit (so -0 is not 0 and each
/// NaN keeps its payload). A record's own Equals would compare arrays by reference.
/// </summary>
internal static class WireEquality
{
    /// <summary>Null when equal, else the path of the first difference and both values.</summary>
    public static string? Difference(object? expected, object? actual) => Difference(expected, actual, "message");

    public static void AssertEqual(object expected, object actual)
    {
        if (Difference(expected, actual) is { } difference)
        {
            Assert.Fail($"{expected.GetType().Name} changed on the wire: {difference}");
        }
    }

    private static string? Difference(object? expected, object? actual, string where)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{where}: {Show(expected)} became {Show(actual)}";
        }

        var type = expected.GetType();
        if (!type.IsAssignableFrom(actual.GetType()) && !(expected is IEnumerable && actual is IEnumerable))
        {
            return $"{where}: a {type.Name} became a {actual.GetType().Name}";
        }

        switch (expected)
        {
            case double d:
                return BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)actual) ? null : Changed(where, expected, actual);
            case float f:
                return BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits((float)actual) ? null : Changed(where, expected, actual);
            case string or Akka.Actor.IActorRef:
                return expected.Equals(actual) ? null : Changed(where, expected, actual);
            case IEnumerable items:
                return ListDifference(items, (IEnumerable)actual, where);
        }

        if (type.IsPrimitive || type.IsEnum)
        {
            return expected.Equals(actual) ? null : Changed(where, expected, actual);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0
                && Difference(property.GetValue(expected), property.GetValue(actual), $"{where}.{property.Name}") is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private static string? ListDifference(IEnumerable expected, IEnumerable actual, string where)
    {
        var left = expected.Cast<object?>().ToList();
        var right = actual.Cast<object?>().ToList();
        if (left.Count != right.Count)
        {
            return $"{where}: {left.Count} items became {right.Count}";
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (Difference(left[i], right[i], $"{where}[{i}]") is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private static string Changed(string where, object expected, object actual) => $"{where}: {Show(expected)} became {Show(actual)}";

    private static string Show(object? value) => value switch
    {
        null => "null",
        double d => $"{d:R} (0x{BitConverter.DoubleToInt64Bits(d):X16})",
        float f => $"{f:R} (0x{BitConverter.SingleToInt32Bits(f):X8})",
        _ => value.ToString() ?? "?",
    };
}
