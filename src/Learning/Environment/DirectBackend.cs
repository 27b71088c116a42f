using V2V.Learning.Actors;
using V2V.Learning.Maddpg;

namespace V2V.Learning.Environment;

/// <summary>Training in the calling thread: transitions go straight into the replay buffer.</summary>
public sealed class DirectBackend(MaddpgLearner learner, int seed) : ITrainingBackend
{
    private Random random = CriticTrainer.UpdateRandom(seed, 0);

    public void BeginEpisode(int episode) => this.random = CriticTrainer.UpdateRandom(seed, episode);

    public ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n) => learner.Act(observations, n);

    public void Add(ReadOnlySpan<float> input, float reward, ReadOnlySpan<float> nextInput, bool done) =>
        learner.Replay.Add(input, reward, nextInput, done);

    public (int Updates, double LossSum) EndStep(int updates)
    {
        if (!learner.IsWarm)
        {
            return (0, 0);
        }

        double loss = 0;
        for (int u = 0; u < updates; u++)
        {
            loss += learner.Update(this.random);
        }

        return (updates, loss);
    }

    public void EndEpisode()
    {
    }
}
