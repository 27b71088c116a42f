using V2V.Market.Protocol;

namespace V2V.Agents.Actors;

/// <summary>
/// An EV's transitions while training (DESIGN step 6), free of actors. A scored step waits for the EV's next scored
/// step, whose critic input is its next state; the chain ends (done) when the EV does not order, its order is refused
/// or never scored, it leaves, drops out or crashes, or the run ends. Invariant: each scored step is emitted at most
/// once, so a transition never reaches the learner twice; a restarted EV starts a fresh chain (nothing but the
/// ledger survives a crash), and the old one was ended when its instance stopped.
/// </summary>
public sealed class TransitionChain
{
    private Scored? pending;
    private int awaitingStep = -1;
    private long awaitingVersion = -1;

    /// <summary>Step <paramref name="step"/> opened; the EV ordered with policy <paramref name="version"/>, or not. Returns an ended transition to emit.</summary>
    public TransitionObserved? Opened(int step, bool ordered, long version)
    {
        // An order still waiting for its score (refused, lost, or its score lost): the chain cannot go on.
        var ended = awaitingStep >= 0 || !ordered ? End() : null;
        awaitingStep = ordered ? step : -1;
        awaitingVersion = version;
        return ended;
    }

    /// <summary>The order of <paramref name="step"/> did not make the book.</summary>
    public TransitionObserved? Refused(int step) => step == awaitingStep ? End() : null;

    /// <summary>The coordinator scored the awaited order: the pending transition gets its next state, this one waits.</summary>
    public TransitionObserved? Score(StepScored scored)
    {
        // A stale, duplicated or other incarnation's score changes nothing.
        if (scored.Step != awaitingStep)
        {
            return null;
        }

        var emitted = pending is { } p
            ? new TransitionObserved(p.Input, p.Reward, scored.CriticInput, p.Step, p.BookIndex, p.Version, scored.Agent)
            : null;
        pending = new Scored(scored.CriticInput, (float)scored.Total, scored.Step, scored.BookIndex, awaitingVersion, scored.Agent);
        awaitingStep = -1;
        return emitted;
    }

    /// <summary>The EV's episode ends here: the pending transition, if any, is terminal.</summary>
    public TransitionObserved? End()
    {
        var p = pending;
        pending = null;
        awaitingStep = -1;
        return p is null ? null : new TransitionObserved(p.Input, p.Reward, null, p.Step, p.BookIndex, p.Version, p.Agent);
    }

    private sealed record Scored(float[] Input, float Reward, int Step, int BookIndex, long Version, string Agent);
}
