namespace V2V.Actors;

/// <summary>
/// An actor that declares typed handlers in its constructor: <c>Receive&lt;Ping&gt;(p =&gt; ...)</c>.
/// The first matching handler (type and predicate) wins; unmatched messages are Unhandled.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private List<Handler> _handlers = [];

    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(typeof(T), m => handler((T)m), shouldHandle is null ? null : m => shouldHandle((T)m)));
    }

    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(typeof(object), handler, null));
    }

    /// <summary>Replaces all handlers with those <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _handlers = [];
        configure();
    }

    protected internal sealed override bool Receive(object message)
    {
        var handlers = _handlers;
        var type = message.GetType();
        for (int i = 0; i < handlers.Count; i++)
        {
            var h = handlers[i];
            if (h.Type.IsAssignableFrom(type) && (h.Predicate is null || h.Predicate(message)))
            {
                h.Action(message);
                return true;
            }
        }

        return false;
    }

    private sealed record Handler(Type Type, Action<object> Action, Func<object, bool>? Predicate);
}
