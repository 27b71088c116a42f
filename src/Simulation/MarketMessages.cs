using V2V.Actors;
using V2V.Market.Protocol;

namespace V2V.Simulation;

/// <summary>
/// Which messages are market traffic between an EV and the coordinator (latency and message faults apply to these
/// only; the facility's lifecycle messages and crash recovery model a wired control plane), and which EV a message
/// concerns.
/// </summary>
public static class MarketMessages
{
    /// <summary>The coordinator's actor name; EVs live under <c>{Coordinator}/{Facility}/{agent}</c>.</summary>
    public const string Coordinator = "market";

    public const string Facility = "facility";

    /// <summary>The node's policy holder (learned policy only), a top-level actor beside the coordinator.</summary>
    public const string PolicyHolder = "policy";

    public static bool IsMarket(object message) => message is StepOpened or SubmitOrder or OrderRefused or FillProposed
        or FillAccepted or FillCommitted or CommitAcknowledged or FillVoided;

    /// <summary>The EV end of a message, or null when neither end is an EV.</summary>
    public static string? AgentOf(ActorPath? sender, ActorPath receiver) =>
        IsEv(receiver) ? receiver.Name : sender is not null && IsEv(sender) ? sender.Name : null;

    private static bool IsEv(ActorPath path) => path.Parent?.Name == Facility;
}
