namespace V2V.Coordinator.Actors;

// The coordinator's own clock events (DESIGN "One market step"): each carries its step, so a stale one is ignored.

/// <summary>Time for step <paramref name="Step"/> to begin (departures, arrivals, then open).</summary>
internal sealed record StartStep(int Step);

/// <summary>The bid window of <paramref name="Step"/> is over: clear the book.</summary>
internal sealed record CloseOrders(int Step);

/// <summary>The settlement window of <paramref name="Step"/> is over: void what is not committed.</summary>
internal sealed record CloseSettlement(int Step);

/// <summary>Resend every commit not yet acknowledged.</summary>
internal sealed record RetryCommits
{
    public static readonly RetryCommits Instance = new();
}
