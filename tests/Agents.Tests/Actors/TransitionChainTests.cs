using V2V.Agents.Actors;
using V2V.Market.Protocol;

namespace V2V.Agents.Tests.Actors;

/// <summary>An EV's transition chain (DESIGN step 6) without actors: what it emits, and that it never emits a step twice.</summary>
public sealed class TransitionChainTests
{
    [Fact]
    public void TransitionChain_ScoredSteps_EachEmittedOnceWithTheNextScoreAsNextState()
    {
        var chain = new TransitionChain();
        Assert.Null(chain.Opened(0, ordered: true, version: 4));
        Assert.Null(chain.Score(Scored(0)));
        Assert.Null(chain.Opened(1, ordered: true, version: 5));
        var t = chain.Score(Scored(1));

        Assert.NotNull(t);
        Assert.Equal((0, 4L, "ev-1", 0.5f), (t.Step, t.PolicyVersion, t.Agent, t.Reward));
        Assert.Equal(Scored(1).CriticInput, t.NextInput);
        Assert.Null(chain.Score(Scored(1))); // a duplicated score
        var last = chain.End();
        Assert.Equal((1, 5L), (last!.Step, last.PolicyVersion));
        Assert.Null(last.NextInput);
        Assert.Null(chain.End());
    }

    [Fact]
    public void TransitionChain_NoOrderRefusedOrScoreLost_EndsThePendingTransitionOnce()
    {
        var chain = new TransitionChain();
        chain.Opened(0, ordered: true, version: 0);
        chain.Score(Scored(0));
        var notOrdered = chain.Opened(1, ordered: false, version: 0);
        Assert.Equal(0, notOrdered!.Step);
        Assert.Null(notOrdered.NextInput);
        Assert.Null(chain.End());

        chain.Opened(2, ordered: true, version: 0);
        chain.Score(Scored(2));
        chain.Opened(3, ordered: true, version: 0);
        Assert.Null(chain.Refused(3)!.NextInput);
        Assert.Null(chain.Refused(3));

        chain.Opened(4, ordered: true, version: 0);
        chain.Score(Scored(4));
        chain.Opened(5, ordered: true, version: 0);
        // Step 5's score never comes: when step 6 opens, step 4's transition ends; a late step-5 score is ignored.
        var ended = chain.Opened(6, ordered: true, version: 0);
        Assert.Equal(4, ended!.Step);
        Assert.Null(ended.NextInput);
        Assert.Null(chain.Score(Scored(5)));
        Assert.Null(chain.End());
    }

    private static StepScored Scored(int step)
    {
        // The chain passes inputs through untouched, so any length will do.
        var input = new float[3];
        input.AsSpan().Fill(step);
        return new StepScored(step, "ev-1", BookIndex: 0, Total: 0.5, Base: 0.5, Credit: 0, PriceTerm: 0, IrTerm: 0, input);
    }
}
