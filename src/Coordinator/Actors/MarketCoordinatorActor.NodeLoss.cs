using V2V.Market.Protocol;

namespace V2V.Coordinator.Actors;

// The scenario's scheduled node loss (docs/faults.md): decided here, from the configuration alone, so the ledger
// never depends on when a failure detector notices anything.
public sealed partial class MarketCoordinatorActor
{
    /// <summary>
    /// At the boundary of the scheduled step, before the roster: every EV parked on the lost virtual node gets the
    /// verdict "lost with node" (in admission order), and the facility is told to lose the node, which it does once
    /// those EVs are retired and before it admits the step's arrivals (on a cluster: the member leaves).
    /// </summary>
    private void LoseScheduledNode()
    {
        if (plan.NodeLoss is not { } loss || loss.AtStep != step)
        {
            return;
        }

        foreach (var p in parked.Where(p => loss.Loses(p.Agent)).ToList())
        {
            Drop(p.Agent, LostWithNode);
        }

        Send(facility, new LoseNode(step, loss.Node, loss.Nodes));
    }

    /// <summary>The verdict on an EV lost with its node, scheduled or not (an <c>AgentDeparted</c> reason in the ledger).</summary>
    public const string LostWithNode = "lost with node";
}
