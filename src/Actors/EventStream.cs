namespace V2V.Actors;

/// <summary>Publish/subscribe by message type (dead letters, unhandled messages, anything else).</summary>
public sealed class EventStream
{
    private readonly object _gate = new();
    private Subscription[] _subscriptions = [];

    internal bool HasSubscribers => Volatile.Read(ref _subscriptions).Length > 0;

    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            foreach (var s in _subscriptions)
            {
                if (s.Subscriber.Equals(subscriber) && s.Channel == channel)
                {
                    return false;
                }
            }

            _subscriptions = [.. _subscriptions, new Subscription(subscriber, channel)];
            return true;
        }
    }

    /// <summary>Removes the subscriber from <paramref name="channel"/>, or from every channel when null.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type? channel = null)
    {
        lock (_gate)
        {
            var kept = Array.FindAll(
                _subscriptions, s => !(s.Subscriber.Equals(subscriber) && (channel is null || s.Channel == channel)));
            bool removed = kept.Length != _subscriptions.Length;
            _subscriptions = kept;
            return removed;
        }
    }

    public void Publish(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var subscriptions = Volatile.Read(ref _subscriptions);
        foreach (var s in subscriptions)
        {
            if (s.Channel.IsInstanceOfType(message))
            {
                s.Subscriber.Tell(message, null);
            }
        }
    }

    private sealed record Subscription(IActorRef Subscriber, Type Channel);
}
