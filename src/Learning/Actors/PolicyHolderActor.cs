using Akka.Actor;
using static V2V.Learning.Actors.LearningProtocol;

namespace V2V.Learning.Actors;

/// <summary>
/// One per node (DESIGN step 6, receiving end): takes the policy versions published to the node and applies them to
/// the node's <see cref="VersionedPolicy"/>, which every EV actor on the node bids with, then tells the publisher it
/// has (the critic opens the next step only when every node has). Versions cross the network once per node, not once
/// per EV; a late or repeated version is ignored, so no EV ever bids with an older one.
/// </summary>
public sealed class PolicyHolderActor : ReceiveActor
{
    public PolicyHolderActor(VersionedPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Receive<PolicyPublished>(p =>
        {
            policy.Apply(p);
            Sender.Tell(new PolicyApplied(p.Version), Self);
        });
    }

    public static Props Props(VersionedPolicy policy) => Akka.Actor.Props.Create(() => new PolicyHolderActor(policy));
}
