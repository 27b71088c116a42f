namespace V2V.Market.Network;

/// <summary>The market messages the simulated network carries (both directions between an EV and its coordinator).</summary>
public enum MessageKind
{
    StepOpened,
    Order,
    OrderRefused,
    FillProposed,
    FillAccepted,
    FillCommitted,
    CommitAcknowledged,
    FillVoided,
}

/// <summary>
/// What the simulated network does to one message: lost, or delivered <see cref="DelayMs"/> after it was sent (latency
/// plus any fault delay), and, when <see cref="DuplicateAfterMs"/> is set, delivered a second time that much later.
/// </summary>
public readonly record struct MessageFate(bool Lost, double DelayMs, double? DuplicateAfterMs, bool Delayed)
{
    public static MessageFate Instant { get; } = new(false, 0, null, false);
}

/// <summary>
/// The simulated network (DESIGN "Simulated time on a real actor runtime"): a pure function of the run seed and a
/// message's identity (kind, EV, step, key such as the trade id, attempt), so every node, in any order, gets the same
/// fate for the same message. Implementations are immutable.
/// </summary>
public interface INetworkModel
{
    /// <summary>True when no message is ever delayed, lost or duplicated.</summary>
    bool IsInstant { get; }

    MessageFate Fate(MessageKind kind, string agent, int step, long key, int attempt);

    /// <summary>Whether an EV belongs to the slow class (its latencies multiplied): a pure function of (seed, EV).</summary>
    bool IsSlow(string agent);
}
