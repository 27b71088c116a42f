using System.Globalization;

namespace V2V.Host.Configuration;

/// <summary>HOCON durations: a number and a unit (ns, us, ms, s, m, h, d and their long names); no unit means ms.</summary>
internal static class DurationParser
{
    private static readonly (string[] Names, long Ticks)[] Units =
    [
        (["ns", "nano", "nanos", "nanosecond", "nanoseconds"], 0), // below a tick; handled below
        (["us", "micro", "micros", "microsecond", "microseconds"], TimeSpan.TicksPerMicrosecond),
        (["ms", "milli", "millis", "millisecond", "milliseconds", ""], TimeSpan.TicksPerMillisecond),
        (["s", "second", "seconds"], TimeSpan.TicksPerSecond),
        (["m", "minute", "minutes"], TimeSpan.TicksPerMinute),
        (["h", "hour", "hours"], TimeSpan.TicksPerHour),
        (["d", "day", "days"], TimeSpan.TicksPerDay),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var span = text.AsSpan().Trim();
        int split = span.Length;
        while (split > 0 && char.IsAsciiLetter(span[split - 1]))
        {
            split--;
        }

        string unit = span[split..].ToString();
        if (!double.TryParse(span[..split].TrimEnd(), NumberStyles.Float, CultureInfo.InvariantCulture, out double amount)
            || !double.IsFinite(amount))
        {
            return false;
        }

        foreach (var (names, ticks) in Units)
        {
            if (Array.IndexOf(names, unit) >= 0)
            {
                double total = ticks == 0 ? amount / 100.0 : amount * ticks; // 1 tick = 100 ns
                if (Math.Abs(total) > long.MaxValue)
                {
                    return false;
                }

                value = TimeSpan.FromTicks((long)Math.Round(total));
                return true;
            }
        }

        return false;
    }
}
