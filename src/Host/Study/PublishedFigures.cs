namespace V2V.Host.Study;

/// <summary>
/// The study's published results (Lin, Yang, Wang, arXiv 2605.22363, as SPEC 9 quotes them), Nash-MADDPG against
/// Double Auction: the only hand-typed numbers of the report, shown beside ours and labelled as the study's.
/// They are reference results, not settings, so they are not configuration keys.
/// </summary>
internal static class PublishedFigures
{
    public const string Method = "nash-maddpg";

    public const string Baseline = "double-auction";

    public const double SocialWelfareChangePercent = 61.6;

    public const double VolumeChangePercent = 62.9;

    public const double JainChangePercent = 40.1;

    public const double MatchRateMethod = 0.92;

    public const double MatchRateBaseline = 0.78;

    public const double CvOfSocialWelfareAcrossNMethodPercent = 17.6;

    public const double CvOfSocialWelfareAcrossNBaselinePercent = 45.6;

    public const double ClearingPriceMeanAudPerKwh = 0.208;

    public const double ClearingPriceStdAudPerKwh = 0.031;
}
