using System.Globalization;
using V2V.Agents.Facility;
using V2V.Agents.Vehicles;
using V2V.Coordinator.Ledger;
using V2V.Market.Configuration;

namespace V2V.Host.Verify;

/// <summary>
/// Checks a ledger's arrivals against the arrival process that made them (SPEC 1, <see cref="ArrivalProcess"/>).
/// With the run's configuration (config.json) the process is replayed: it is seeded and draws each EV from its own
/// stream, so the ledger must hold exactly its EVs, in its order, at its steps, with its SoC, target and departure
/// step, and every step must close with all of its arrivals in. Without a usable configuration only the header is
/// known, and the check is a bound: N EVs at step 0 and EV ids numbered from ev-000000 in arrival order, so an EV id
/// arriving again or out of turn is caught, but not the number of later arrivals (they are Poisson draws). Either
/// way the first divergence is reported, at its line.
/// </summary>
internal static class ArrivalAudit
{
    /// <summary>Replays the arrival process of <paramref name="config"/> over the ledger.</summary>
    public static string? Exact(IReadOnlyList<NumberedEntry> entries, MarketConfig config)
    {
        var process = new ArrivalProcess(config.Population, config.Vehicle, config.Policy, config.Seed);
        var totalSteps = config.Time.TotalSteps;
        var expected = new Queue<Vehicle>();
        var madeThrough = -1;
        var made = 0;
        void MakeThrough(int step)
        {
            while (madeThrough < Math.Min(step, totalSteps - 1))
            {
                foreach (var v in process.ArrivalsAt(++madeThrough))
                {
                    expected.Enqueue(v);
                    made++;
                }
            }
        }

        foreach (var (line, entry) in entries)
        {
            if (entry is AgentArrived a)
            {
                MakeThrough(a.Step);
                if (!expected.TryPeek(out var next) || next.ArrivalStep > a.Step)
                {
                    return expected.Count == 0 && madeThrough == totalSteps - 1
                        ? $"line {line}: {a.Agent} arrived at step {a.Step}, but the arrival process (config.json) made only {made} EVs in the run's {totalSteps} steps"
                        : $"line {line}: {a.Agent} arrived at step {a.Step}, but the arrival process (config.json) made no more EVs at step {a.Step}{NextOf(next)}";
                }

                if (next.Id != a.Agent || next.ArrivalStep != a.Step || next.ArrivalSoc != a.Soc || next.TargetSoc != a.TargetSoc || next.DepartureStep != a.DepartureStep)
                {
                    return $"line {line}: arrival {Show(a.Agent, a.Step, a.Soc, a.TargetSoc, a.DepartureStep)} is not the arrival process's (config.json) next, {Show(next.Id, next.ArrivalStep, next.ArrivalSoc, next.TargetSoc, next.DepartureStep)}";
                }

                expected.Dequeue();
            }
            else if (entry is StepClosed c && c.Step >= 0)
            {
                MakeThrough(c.Step);
                if (expected.TryPeek(out var missing) && missing.ArrivalStep <= c.Step)
                {
                    return $"line {line}: step {c.Step} closed, but {missing.Id}, which the arrival process (config.json) made at step {missing.ArrivalStep}, never arrived";
                }
            }
        }

        return null;
    }

    /// <summary>The bound, from the run header alone: N EVs at step 0, ids numbered in arrival order.</summary>
    public static string? Bounded(IReadOnlyList<NumberedEntry> entries, RunStarted header)
    {
        var count = 0;
        var atStepZero = 0;
        foreach (var (line, entry) in entries)
        {
            if (entry is AgentArrived a)
            {
                var expectedId = IdOf(count++);
                if (a.Agent != expectedId)
                {
                    return $"line {line}: {a.Agent} arrived at step {a.Step}, but the arrival process numbers its EVs in arrival order and the next is {expectedId}";
                }

                atStepZero += a.Step == 0 ? 1 : 0;
                if (atStepZero > header.Agents)
                {
                    return $"line {line}: {a.Agent} is arrival {atStepZero} at step 0, but the run header has {header.Agents} EVs at step 0";
                }
            }
            else if (entry is StepClosed { Step: 0 } && atStepZero != header.Agents)
            {
                return $"line {line}: step 0 closed with {atStepZero} arrivals, but the run header has {header.Agents} EVs at step 0";
            }
        }

        return null;
    }

    // The id format of ArrivalProcess: ev- and the arrival's number, six digits.
    private static string IdOf(int k) => $"ev-{k.ToString("D6", CultureInfo.InvariantCulture)}";

    private static string NextOf(Vehicle? next) => next is null ? "" : $" (its next is {next.Id} at step {next.ArrivalStep})";

    private static string Show(string id, int step, double soc, double target, int departure) =>
        FormattableString.Invariant($"{id} at step {step} (soc {soc}, target {target}, leaving at step {departure})");
}
