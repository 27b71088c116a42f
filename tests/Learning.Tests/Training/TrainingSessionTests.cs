using V2V.Learning.Maddpg;
using V2V.Learning.Networks;
using V2V.Learning.Tests.Maddpg;
using V2V.Simulation.Training;
using V2V.Market.Orders;
using V2V.Market.Vehicles;

namespace V2V.Learning.Tests.Training;

public sealed class TrainingSessionTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("v2v-train-").FullName;

    public void Dispose() => Directory.Delete(this.folder, recursive: true);

    [Fact]
    public void Resume_FromCheckpoint_RestoresNetworksOptimisersAndEpisode()
    {
        using var session = new TrainingSession(Fixtures.Market, Fixtures.Small(), TrainingMethod.LearningOnly, seed: 4);
        for (int e = 0; e < 3; e++)
        {
            session.RunNextEpisode();
        }

        string path = Path.Combine(this.folder, TrainingSession.ModelFileName);
        session.SaveCheckpoint(path);
        using var resumed = TrainingSession.Resume(path, Fixtures.Market, Fixtures.Small(), TrainingMethod.LearningOnly);

        Assert.Equal(3, resumed.NextEpisode);
        Assert.Equal(4, resumed.Seed);
        Assert.Equal(session.Learner.Actor.GetParameters(), resumed.Learner.Actor.GetParameters());
        Assert.Equal(session.Learner.TargetCritic.GetParameters(), resumed.Learner.TargetCritic.GetParameters());
        Assert.Equal(OptimiserState(session.Learner.CriticOptimizer), OptimiserState(resumed.Learner.CriticOptimizer));
        Assert.Equal(OptimiserState(session.Learner.ActorOptimizer), OptimiserState(resumed.Learner.ActorOptimizer));

        // Adam's moments and step count are back: the same batches now move both learners identically (a fresh
        // optimiser would not: its first steps are bias-corrected differently).
        using var networksOnly = new TrainingSession(Fixtures.Market, Fixtures.Small(), TrainingMethod.LearningOnly, seed: 4);
        var contents = ModelFile.Load(path);
        foreach (string name in new[] { MaddpgLearner.ActorName, MaddpgLearner.CriticName, MaddpgLearner.TargetActorName, MaddpgLearner.TargetCriticName })
        {
            contents.RestoreNetwork(name, name switch
            {
                MaddpgLearner.ActorName => networksOnly.Learner.Actor,
                MaddpgLearner.CriticName => networksOnly.Learner.Critic,
                MaddpgLearner.TargetActorName => networksOnly.Learner.TargetActor,
                _ => networksOnly.Learner.TargetCritic,
            });
        }

        for (int k = 0; k < session.Learner.Replay.Count; k++)
        {
            var (input, reward, next, done) = session.Learner.Replay.At(k);
            resumed.Learner.Replay.Add(input, reward, next, done);
            networksOnly.Learner.Replay.Add(input, reward, next, done);
        }

        session.Learner.Update(new Random(1));
        resumed.Learner.Update(new Random(1));
        networksOnly.Learner.Update(new Random(1));
        Assert.Equal(session.Learner.Actor.GetParameters(), resumed.Learner.Actor.GetParameters());
        Assert.Equal(session.Learner.Critic.GetParameters(), resumed.Learner.Critic.GetParameters());
        Assert.NotEqual(session.Learner.Actor.GetParameters(), networksOnly.Learner.Actor.GetParameters());
        Assert.Equal(4, resumed.RunNextEpisode().Episode + 1);
    }

    [Fact]
    public void Resume_OtherMethodOrOtherShape_RejectedWithMessage()
    {
        using var session = new TrainingSession(Fixtures.Market, Fixtures.Small(), TrainingMethod.LearningOnly, seed: 4);
        string path = Path.Combine(this.folder, TrainingSession.ModelFileName);
        session.SaveCheckpoint(path);
        var e = Assert.Throws<ModelFileException>(
            () => TrainingSession.Resume(path, Fixtures.Market, Fixtures.Small(), TrainingMethod.NashMaddpg));
        Assert.Contains("was trained with --method learning-only, not nash-maddpg", e.Message);
        var wider = Fixtures.Small() with { ActorHidden = [32, 16] };
        Assert.Contains("shape mismatch", Assert.Throws<ModelFileException>(
            () => TrainingSession.Resume(path, Fixtures.Market, wider, TrainingMethod.LearningOnly)).Message);
    }

    [Fact]
    public void LearnedPolicy_LoadFolder_DecidesAsTheActorDoes()
    {
        using var session = new TrainingSession(Fixtures.Market, Fixtures.Small(), TrainingMethod.LearningOnly, seed: 9);
        session.RunNextEpisode();
        session.SaveCheckpoint(Path.Combine(this.folder, TrainingSession.ModelFileName));
        var policy = LearnedPolicy.Load(this.folder);

        var observation = new Observation(0.4, 0.7, 0.3, 0.3, 0.5, 0.5, 0.75, 0.75, Role.Buyer, 0.25);
        var context = new BiddingContext(Side.Buyer, 0.25, 4.0, observation, 0.05, 0.28);
        var input = new float[Observation.Size];
        observation.WriteTo(input);
        var action = session.Learner.Actor.Predict(input, 1);
        var quote = policy.Decide(context);

        Assert.Equal(ActionMapping.Price(action[0], 0.05, 0.28), quote.PriceAudPerKwh, 12);
        Assert.Equal(ActionMapping.Quantity(action[1], 4.0), quote.EnergyKwh, 12);
        Assert.InRange(quote.PriceAudPerKwh, 0.05, 0.28);
        Assert.InRange(quote.EnergyKwh, 0, 4.0);
    }

    [Fact]
    public void LearnedPolicy_CorruptModel_RejectedWithMessage()
    {
        using var session = new TrainingSession(Fixtures.Market, Fixtures.Small(), TrainingMethod.LearningOnly, seed: 9);
        string path = Path.Combine(this.folder, TrainingSession.ModelFileName);
        session.SaveCheckpoint(path);
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFileException>(() => LearnedPolicy.Load(this.folder));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains("cannot be read", Assert.Throws<ModelFileException>(() => LearnedPolicy.Load(Path.Combine(this.folder, "none"))).Message);
    }

    private static byte[] OptimiserState(TorchAdam optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            optimizer.Save(writer);
        }

        return stream.ToArray();
    }
}
