using System.Globalization;
using System.Text;

namespace V2V.Host.Train;

/// <summary>
/// training.svg: the training curve from training.csv, mean reward and social welfare per episode as moving
/// averages (a window of 1/40 of the run, at least one episode), each on its own axis. Plain SVG, no dependencies.
/// </summary>
internal static class TrainingChart
{
    public const string FileName = "training.svg";
    private const int Width = 720, PanelHeight = 200, Left = 70, Right = 20, Top = 30, Gap = 50;

    public static string Render(string csvPath, string title)
    {
        var episodes = new List<double>();
        var reward = new List<double>();
        var welfare = new List<double>();
        foreach (var line in File.ReadLines(csvPath).Skip(1))
        {
            var f = line.Split(',');
            episodes.Add(Parse(f[0]));
            reward.Add(Parse(f[2]));
            welfare.Add(Parse(f[3]));
        }

        int window = Math.Max(1, episodes.Count / 40);
        var svg = new StringBuilder();
        int height = Top + (2 * PanelHeight) + Gap + 40;
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\">{Escape(title)} (moving average over {window} episodes)</text>\n");
        Panel(svg, episodes, Smooth(reward, window), Top, "mean reward per agent-step", "#1f77b4");
        Panel(svg, episodes, Smooth(welfare, window), Top + PanelHeight + Gap, "social welfare per episode (AUD)", "#d62728");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">episode</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, List<double> x, List<double> y, int top, string label, string colour)
    {
        if (x.Count == 0)
        {
            return;
        }

        double xMin = x[0], xMax = Math.Max(x[^1], x[0] + 1);
        double yMin = y.Min(), yMax = y.Max();
        if (yMax - yMin < 1e-12)
        {
            yMax = yMin + 1;
        }

        int plotWidth = Width - Left - Right;
        double Sx(double v) => Left + ((v - xMin) / (xMax - xMin) * plotWidth);
        double Sy(double v) => top + PanelHeight - ((v - yMin) / (yMax - yMin) * PanelHeight);
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n");
        for (int k = 0; k <= 4; k++)
        {
            double v = yMin + ((yMax - yMin) * k / 4);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Sy(v) + 4:F1}\" text-anchor=\"end\">{v:G3}</text>\n");
            double e = xMin + ((xMax - xMin) * k / 4);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Sx(e):F1}\" y=\"{top + PanelHeight + 16}\" text-anchor=\"middle\">{e:F0}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 6}\" y=\"{top + 16}\" fill=\"{colour}\">{Escape(label)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"");
        for (int i = 0; i < x.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"{Sx(x[i]):F1},{Sy(y[i]):F1} ");
        }

        svg.Append("\"/>\n");
    }

    private static List<double> Smooth(List<double> values, int window)
    {
        var result = new List<double>(values.Count);
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            result.Add(sum / Math.Min(i + 1, window));
        }

        return result;
    }

    private static double Parse(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
