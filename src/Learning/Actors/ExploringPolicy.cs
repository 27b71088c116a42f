using V2V.Learning.Maddpg;
using V2V.Market.Randomness;
using V2V.Market.Vehicles;

namespace V2V.Learning.Actors;

/// <summary>
/// One EV's policy while training on the simulation (SPEC 7): the node's newest policy version
/// (<see cref="VersionedPolicy"/>) plus the EV's own Ornstein-Uhlenbeck exploration noise, drawn from its own seeded
/// stream, clamped to [-1, 1] as the direct runner does. Exploration lives only here, so runs that do not train never
/// explore. It reports the action and version it took for the EV's order (<see cref="IActionPolicy"/>).
/// </summary>
public sealed class ExploringPolicy(VersionedPolicy policy, OrnsteinUhlenbeckNoise noise, string agentId, Random random) : IActionPolicy
{
    public int ActionSize => ActionMapping.Size;

    /// <summary>
    /// EV <paramref name="agentId"/>'s policy in training episode <paramref name="episode"/>: its own noise process and
    /// its own stream (seed, episode, id), so it draws the same noise on whichever node it runs.
    /// </summary>
    public static ExploringPolicy ForEpisode(VersionedPolicy policy, double ouTheta, double sigma, int seed, int episode, string agentId) => new(
        policy,
        new OrnsteinUhlenbeckNoise(ouTheta, ActionMapping.Size) { Sigma = sigma },
        agentId,
        Seeds.CreateRandom(seed, $"learning.noise.{episode}.{agentId}"));

    public (Quote Quote, long Version) Decide(in BiddingContext context, Span<float> action)
    {
        Span<float> observation = stackalloc float[Observation.Size];
        context.Observation.WriteTo(observation);
        long version = policy.ActInto(observation, action);
        Span<float> n = stackalloc float[ActionMapping.Size];
        noise.Sample(agentId, random, n);
        for (int d = 0; d < ActionMapping.Size; d++)
        {
            action[d] = Math.Clamp(action[d] + n[d], -1f, 1f);
        }

        return (ActionMapping.ToQuote(action, context), version);
    }

    public Quote Decide(in BiddingContext context)
    {
        Span<float> action = stackalloc float[ActionMapping.Size];
        return Decide(context, action).Quote;
    }
}
