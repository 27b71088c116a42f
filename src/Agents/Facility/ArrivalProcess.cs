using V2V.Agents.Vehicles;
using V2V.Market.Configuration;
using V2V.Market.Randomness;

namespace V2V.Agents.Facility;

/// <summary>
/// SPEC 1: who is parked at each step. N EVs at step 0; then Poisson(N / E[stay]) arrivals per step; stays
/// uniform on [min, max] steps. Each EV's own facts (stay, SoC, target, markup) come from a stream seeded by its
/// id, so adding a draw elsewhere never shifts another EV's values.
/// </summary>
public sealed class ArrivalProcess
{
    private readonly PopulationConfig population;
    private readonly VehicleConfig vehicle;
    private readonly PolicyConfig policy;
    private readonly int seed;
    private readonly Random counts;
    private int nextId;

    public ArrivalProcess(PopulationConfig population, VehicleConfig vehicle, PolicyConfig policy, int seed)
    {
        this.population = population;
        this.vehicle = vehicle;
        this.policy = policy;
        this.seed = seed;
        counts = Seeds.CreateRandom(seed, "facility.arrivals");
    }

    /// <summary>The EVs that arrive at <paramref name="step"/>; call once per step, in step order.</summary>
    public IReadOnlyList<Vehicle> ArrivalsAt(int step)
    {
        var n = step == 0 ? population.Agents : Poisson(counts, population.ArrivalRatePerStep);
        var arrivals = new Vehicle[n];
        for (var k = 0; k < n; k++)
        {
            arrivals[k] = Draw(step, $"ev-{nextId++:D6}");
        }

        return arrivals;
    }

    private Vehicle Draw(int step, string id)
    {
        var rng = Seeds.CreateRandom(seed, id);
        var stay = rng.Next(population.StayMinSteps, population.StayMaxSteps + 1);
        var soc = Uniform(rng, vehicle.InitialSocMin, vehicle.InitialSocMax);
        var target = Uniform(rng, vehicle.TargetSocMin, vehicle.TargetSocMax);
        var markup = Uniform(rng, 0, policy.MarkupMax);
        return new Vehicle(id, step, step + stay, soc, target, markup);
    }

    private static double Uniform(Random rng, double min, double max) => min + ((max - min) * rng.NextDouble());

    /// <summary>
    /// Poisson sample by Knuth's product method, split into chunks of rate at most 30 so exp(-rate) never
    /// underflows for large populations (a sum of independent Poissons is Poisson).
    /// </summary>
    public static int Poisson(Random rng, double rate)
    {
        const double chunk = 30;
        var total = 0;
        while (rate > 0)
        {
            var r = Math.Min(rate, chunk);
            rate -= r;
            var limit = Math.Exp(-r);
            var product = rng.NextDouble();
            while (product > limit)
            {
                total++;
                product *= rng.NextDouble();
            }
        }

        return total;
    }
}
