namespace V2V.Actors.Hooks;

/// <summary>Fault injection: decides the fate of each user message (system messages are never filtered).</summary>
public interface IDeliveryFilter
{
    DeliveryDecision Decide(ActorPath? sender, ActorPath receiver, object message);
}

public enum DeliveryAction
{
    Deliver,
    Drop,
    Duplicate,
}

/// <summary>
/// Deliver (optionally <see cref="ExtraDelay"/> later than the latency model says), drop, or deliver twice:
/// the second copy arrives <see cref="DuplicateDelay"/> after the first.
/// </summary>
public readonly record struct DeliveryDecision(DeliveryAction Action, TimeSpan ExtraDelay, TimeSpan DuplicateDelay)
{
    public static DeliveryDecision Deliver => default;

    public static DeliveryDecision Drop => new(DeliveryAction.Drop, TimeSpan.Zero, TimeSpan.Zero);

    public static DeliveryDecision Delay(TimeSpan extra) => new(DeliveryAction.Deliver, extra, TimeSpan.Zero);

    public static DeliveryDecision Duplicate(TimeSpan secondCopyAfter) =>
        new(DeliveryAction.Duplicate, TimeSpan.Zero, secondCopyAfter);
}

/// <summary>The default filter: every message is delivered once.</summary>
public sealed class DeliverAll : IDeliveryFilter
{
    public static readonly DeliverAll Instance = new();

    private DeliverAll()
    {
    }

    public DeliveryDecision Decide(ActorPath? sender, ActorPath receiver, object message) => DeliveryDecision.Deliver;
}
