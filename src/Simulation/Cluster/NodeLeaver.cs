using Akka.Actor;
using Akka.Cluster;
using V2V.Market.Protocol;

namespace V2V.Simulation.Cluster;

/// <summary>
/// Carries out a scheduled node loss on a cluster: has the agents member at <paramref name="member"/> leave (its
/// process then stops, as after `v2v node` is told to leave) and tells <paramref name="facility"/>
/// <see cref="NodeGone"/> once the cluster has removed it, so no arrival of the step can start there. The wall clock only
/// decides how long that takes; the ledger already holds the node's EVs as lost.
/// </summary>
internal sealed class NodeLeaver : ReceiveActor
{
    private readonly Address member;
    private readonly int node;
    private readonly IActorRef facility;

    public NodeLeaver(Address member, int node, IActorRef facility)
    {
        this.member = member;
        this.node = node;
        this.facility = facility;
        Receive<ClusterEvent.MemberRemoved>(r => r.Member.Address == member, _ => Gone());
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            if (!state.Members.Any(m => m.Address == member))
            {
                Gone();
            }
        });
    }

    public static Props Props(Address member, int node, IActorRef facility) =>
        Akka.Actor.Props.Create(() => new NodeLeaver(member, node, facility));

    protected override void PreStart()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        cluster.Leave(member);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Gone()
    {
        facility.Tell(new NodeGone(node), Self);
        Context.Stop(Self);
    }
}
