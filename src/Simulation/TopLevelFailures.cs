using V2V.Actors;
using V2V.Actors.Supervision;
using V2V.Coordinator.Actors;

namespace V2V.Simulation;

/// <summary>
/// The user guardian's strategy for a simulation: a top-level actor that fails (the market coordinator, the policy
/// holder, a learner or the critic) is stopped, never restarted, and the first failure is kept with the step that was
/// open, for the runner to throw as a <see cref="SimulationFailedException"/>. The decider runs inside the kernel,
/// which the runner drives from its own thread, so no lock is needed.
/// </summary>
internal sealed class TopLevelFailures
{
    private readonly SimulationTrace trace;
    private SimulationFailedException? first;

    public TopLevelFailures(SimulationTrace trace)
    {
        this.trace = trace;
        Strategy = new OneForOneStrategy(0, null, Record);
    }

    public SupervisorStrategy Strategy { get; }

    public bool Any => first is not null;

    public void ThrowIfAny()
    {
        if (first is not null)
        {
            throw first;
        }
    }

    private Directive Record(IActorRef? child, Exception cause)
    {
        first ??= new SimulationFailedException(trace.StepsClosed, $"the {child?.Path.Name ?? "simulation"}", cause);
        return Directive.Stop;
    }
}
