using V2V.Learning.Environment;

namespace V2V.Simulation.Training;

/// <summary>
/// Runs training episode k on some environment and reports it, training the learner it was made with. The direct
/// runner is the built-in one; the Host supplies one that runs the market simulation's own actors.
/// </summary>
public interface IEpisodeTrainer : IDisposable
{
    EpisodeReport Train(int episode);
}
