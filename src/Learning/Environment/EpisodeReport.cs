namespace V2V.Learning.Environment;

/// <summary>What one episode did: the numbers of the progress bar and of training.csv.</summary>
public sealed record EpisodeReport(
    int Episode,
    int Agents,
    double MeanReward,
    double SocialWelfareAud,
    double CriticLoss,
    double VolumeKwh,
    double MatchRate,
    int Transitions,
    long Updates,
    double Sigma,
    double MeanBidAudPerKwh,
    double MeanAskAudPerKwh,
    double MeanQuantityFraction);

/// <summary>How an episode picks actions.</summary>
public enum EpisodeMode
{
    /// <summary>Actor plus OU noise; transitions stored; updates after warm-up.</summary>
    Train,

    /// <summary>The deterministic actor, no learning.</summary>
    EvaluateLearned,

    /// <summary>Truthful bids (price = true value, quantity = cap), no learning: the baseline.</summary>
    EvaluateTruthful,
}
