using System.Globalization;

namespace V2V.Host.Configuration;

/// <summary>Validated getters for binders: every failure is a <see cref="ConfigException"/> naming key and position.</summary>
public static class ConfigChecks
{
    /// <summary>
    /// The largest energy (kWh, kW) and money (AUD/kWh) values accepted. SPEC's are tens of kWh and cents per kWh; far
    /// beyond this, products the solver and the metrics square overflow to infinity (grid-price 1e300 once did).
    /// </summary>
    public const double MaxMagnitude = 1e6;

    /// <summary>Step numbers and departure steps (step + stay) are ints: each part is kept to half the int range.</summary>
    public const int MaxSteps = int.MaxValue / 2;

    /// <summary>A number in (0, <see cref="MaxMagnitude"/>].</summary>
    public static double GetPositiveMagnitude(this Config config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        double value = config.GetDouble(path);
        return value > 0 && value <= MaxMagnitude
            ? value
            : throw config.Error(path, $"expected a number in (0, {Show(MaxMagnitude)}], got {Show(value)}");
    }

    /// <summary>A number in [0, <see cref="MaxMagnitude"/>].</summary>
    public static double GetNonNegativeMagnitude(this Config config, string path) => GetDoubleInRange(config, path, 0, MaxMagnitude);

    public static double GetPositiveDouble(this Config config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        double value = config.GetDouble(path);
        return value > 0 ? value : throw config.Error(path, $"expected a number > 0, got {Show(value)}");
    }

    public static double GetNonNegativeDouble(this Config config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        double value = config.GetDouble(path);
        return value >= 0 ? value : throw config.Error(path, $"expected a number >= 0, got {Show(value)}");
    }

    /// <summary>A number in [min, max] (both inclusive).</summary>
    public static double GetDoubleInRange(this Config config, string path, double min, double max)
    {
        ArgumentNullException.ThrowIfNull(config);
        double value = config.GetDouble(path);
        return value >= min && value <= max
            ? value
            : throw config.Error(path, $"expected a number in [{Show(min)}, {Show(max)}], got {Show(value)}");
    }

    /// <summary>A probability or a weight: a number in [0, 1].</summary>
    public static double GetFraction(this Config config, string path) => GetDoubleInRange(config, path, 0, 1);

    public static int GetIntAtLeast(this Config config, string path, int min)
    {
        ArgumentNullException.ThrowIfNull(config);
        int value = config.GetInt(path);
        return value >= min ? value : throw config.Error(path, $"expected a whole number >= {min}, got {value}");
    }

    public static string GetOneOf(this Config config, string path, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(allowed);
        string value = config.GetString(path);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw config.Error(path, $"expected one of {string.Join('|', allowed)}, got \"{value}\"");
    }

    /// <summary>Checks min &lt;= max for a pair of keys already read; the error names the max key.</summary>
    public static void RequireOrdered(this Config config, string minPath, double min, string maxPath, double max)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (min > max)
        {
            throw config.Error(maxPath, $"must be >= {config.KeyPathOf(minPath)} ({Show(min)}), got {Show(max)}");
        }
    }

    /// <summary>
    /// A run counts its steps in an int (ledger, coordinator) and its simulated time in <see cref="TimeSpan"/>; days x
    /// steps-per-day beyond either would wrap (a 150,000,000-day run once logged -1894967296 steps). The error names
    /// days, the key a user changes, with the largest value that fits, or step-hours when not even one day fits.
    /// </summary>
    public static void RequireHorizonFits(this Config time, V2V.Market.Configuration.TimeConfig value)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(value);
        long steps = (long)value.StepsPerDay * value.Days;

        // Half of TimeSpan's range, so the windows, latencies and delays added to a step's time still fit.
        double maxHours = TimeSpan.MaxValue.TotalHours / 2;
        double maxSteps = Math.Min(MaxSteps, maxHours / value.StepHours);
        if (value.StepsPerDay > maxSteps)
        {
            throw time.Error(
                "step-hours",
                $"one day of {value.StepsPerDay} steps of {Show(value.StepHours)} h does not fit a run's clock; expected step-hours <= {Show(maxHours / value.StepsPerDay)}");
        }

        if (steps > maxSteps)
        {
            long maxDays = (long)Math.Floor(maxSteps / value.StepsPerDay);
            throw time.Error(
                "days",
                $"{value.Days} days x {value.StepsPerDay} steps-per-day = {steps} steps of {Show(value.StepHours)} h is more than a run can count; expected days in [1, {maxDays}]");
        }
    }

    public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
