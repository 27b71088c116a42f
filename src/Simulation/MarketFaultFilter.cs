using V2V.Actors;
using V2V.Actors.Hooks;
using V2V.Market.Configuration;
using V2V.Market.Randomness;

namespace V2V.Simulation;

/// <summary>
/// Message faults (DESIGN "Faults"): each market message is dropped, duplicated or delayed with the configured
/// probabilities, decided by one seeded draw per message in send order. Control-plane messages always pass.
/// </summary>
public sealed class MarketFaultFilter(FaultConfig faults, int seed) : IDeliveryFilter
{
    private readonly Random rng = Seeds.CreateRandom(seed, "simulation.message-faults");

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public long Delayed { get; private set; }

    public DeliveryDecision Decide(ActorPath? sender, ActorPath receiver, object message)
    {
        if (!MarketMessages.IsMarket(message))
        {
            return DeliveryDecision.Deliver;
        }

        var u = rng.NextDouble();
        var extra = TimeSpan.FromTicks((long)(faults.MessageDelayMax.Ticks * rng.NextDouble()));
        if (u < faults.MessageDropProbability)
        {
            Dropped++;
            return DeliveryDecision.Drop;
        }

        if (u < faults.MessageDropProbability + faults.MessageDuplicateProbability)
        {
            Duplicated++;
            return DeliveryDecision.Duplicate(extra);
        }

        if (u < faults.MessageDropProbability + faults.MessageDuplicateProbability + faults.MessageDelayProbability)
        {
            Delayed++;
            return DeliveryDecision.Delay(extra);
        }

        return DeliveryDecision.Deliver;
    }
}
