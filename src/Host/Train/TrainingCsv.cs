using System.Globalization;
using V2V.Learning.Environment;

namespace V2V.Host.Train;

/// <summary>
/// training.csv, one row per episode, flushed as it goes so a crash keeps every finished episode. On resume the rows
/// of episodes before the checkpoint are carried over and later ones (run after the checkpoint was written) dropped.
/// </summary>
internal sealed class TrainingCsv : IDisposable
{
    public const string FileName = "training.csv";
    private const string Header = "episode,agents,mean_reward,social_welfare_aud,critic_loss,volume_kwh,match_rate,transitions,updates,ou_sigma,mean_bid,mean_ask,mean_quantity_fraction";
    private readonly StreamWriter writer;

    private TrainingCsv(StreamWriter writer) => this.writer = writer;

    public static TrainingCsv Open(string outDir, string? resumeDir, int firstEpisode)
    {
        var kept = new List<string>();
        if (resumeDir is not null && File.Exists(Path.Combine(resumeDir, FileName)))
        {
            foreach (var line in File.ReadLines(Path.Combine(resumeDir, FileName)).Skip(1))
            {
                int comma = line.IndexOf(',', StringComparison.Ordinal);
                if (comma > 0 && int.TryParse(line.AsSpan(0, comma), NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e < firstEpisode)
                {
                    kept.Add(line);
                }
            }
        }

        var writer = new StreamWriter(Path.Combine(outDir, FileName), append: false, new System.Text.UTF8Encoding(false));
        writer.WriteLine(Header);
        foreach (var line in kept)
        {
            writer.WriteLine(line);
        }

        writer.Flush();
        return new TrainingCsv(writer);
    }

    public void Append(EpisodeReport r)
    {
        this.writer.WriteLine(string.Join(
            ',',
            r.Episode.ToString(CultureInfo.InvariantCulture),
            r.Agents.ToString(CultureInfo.InvariantCulture),
            Number(r.MeanReward),
            Number(r.SocialWelfareAud),
            double.IsNaN(r.CriticLoss) ? string.Empty : Number(r.CriticLoss),
            Number(r.VolumeKwh),
            Number(r.MatchRate),
            r.Transitions.ToString(CultureInfo.InvariantCulture),
            r.Updates.ToString(CultureInfo.InvariantCulture),
            Number(r.Sigma),
            Number(r.MeanBidAudPerKwh),
            Number(r.MeanAskAudPerKwh),
            Number(r.MeanQuantityFraction)));
        this.writer.Flush();
    }

    public void Dispose() => this.writer.Dispose();

    private static string Number(double x) => x.ToString("G9", CultureInfo.InvariantCulture);
}
