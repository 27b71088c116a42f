namespace V2V.Market.Vehicles;

/// <summary>
/// A learning policy (SPEC 7, training): it decides through the shared actor network and reports the action it took
/// (after exploration noise, in the network's [-1, 1] units) and the policy version it took it with, so the EV can
/// send both with its order for the critic.
/// </summary>
public interface IActionPolicy : IBiddingPolicy
{
    /// <summary>The number of action values (SPEC 7: 2).</summary>
    int ActionSize { get; }

    /// <summary>Decides, writing the action taken into <paramref name="action"/>; returns the quote and the version.</summary>
    (Quote Quote, long Version) Decide(in BiddingContext context, Span<float> action);
}
