using Akka.Actor;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// The scheduled node loss of a run of several facilities on a cluster, on the run's member (a child of the run's
/// Guardian): every facility that reaches the loss's step has already given the EVs of the lost virtual node their
/// verdict and waits before admitting that step's arrivals (<see cref="FacilityAtNodeLoss"/>, through its link). Once
/// all <paramref name="facilities"/> wait, the agents member of the node's rank leaves (<see cref="NodeLeaver"/>), and
/// each of them is told <see cref="NodeGone"/> when the cluster has removed it. A facility whose coordinator was on that
/// member resumes elsewhere at that step (<see cref="FacilityLink"/>) and, reaching the loss again, is answered at once.
/// So which step each facility loses the member at is the configuration's, whatever the wall clock does.
/// </summary>
internal sealed class FacilityNodeLoss : ReceiveActor
{
    public const string Name = "node-loss";

    private readonly Dictionary<string, IActorRef> waiting = new(StringComparer.Ordinal);
    private bool leaving;
    private bool gone;

    public FacilityNodeLoss(int facilities)
    {
        Receive<FacilityAtNodeLoss>(reached =>
        {
            if (gone)
            {
                Sender.Tell(new NodeGone(reached.Node), Self);
                return;
            }

            waiting[reached.Facility] = Sender;
            if (!leaving && waiting.Count == facilities)
            {
                leaving = true;
                var member = EvSharding.AgentOfNode(Context.System, reached.Node, reached.Nodes);
                Context.ActorOf(NodeLeaver.Props(member, reached.Node, Self), "node-" + reached.Node);
            }
        });
        Receive<NodeGone>(left =>
        {
            gone = true;
            foreach (var facility in waiting.Values)
            {
                facility.Tell(left, Self);
            }

            waiting.Clear();
        });
    }

    public static Props Props(int facilities) => Akka.Actor.Props.Create(() => new FacilityNodeLoss(facilities));
}
