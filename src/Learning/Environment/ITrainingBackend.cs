namespace V2V.Learning.Environment;

/// <summary>
/// Where an episode's transitions go and where its actions come from: straight into the learner
/// (<see cref="DirectBackend"/>) or through the learner and critic actors (<see cref="ActorBackend"/>).
/// Both give the same weights for the same seed.
/// </summary>
public interface ITrainingBackend
{
    void BeginEpisode(int episode);

    /// <summary>The current policy's actions for n observations; valid until the next call.</summary>
    ReadOnlySpan<float> Act(ReadOnlySpan<float> observations, int n);

    void Add(ReadOnlySpan<float> input, float reward, ReadOnlySpan<float> nextInput, bool done);

    /// <summary>A market step is over: run its updates if the replay buffer is warm. Returns (updates, summed TD loss).</summary>
    (int Updates, double LossSum) EndStep(int updates);

    void EndEpisode();
}
