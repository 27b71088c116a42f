using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace V2V.Benchmarks.Runtime;

/// <summary>
/// The floor the actor runtimes' ping-pong is compared with: two tasks passing the same ball over raw
/// System.Threading.Channels. One operation is one message, so 1 / mean = messages per second.
/// </summary>
[MemoryDiagnoser]
public class ChannelPingPongBenchmarks
{
    private const int Messages = RuntimeBenchmarkProtocol.PingPongMessages;

    [Benchmark(OperationsPerInvoke = Messages, Baseline = true)]
    public Task RawChannels()
    {
        var options = new UnboundedChannelOptions { SingleReader = true, SingleWriter = true };
        var toPong = Channel.CreateUnbounded<Ball>(options);
        var toPing = Channel.CreateUnbounded<Ball>(options);
        var ping = Task.Run(() => Play(toPing.Reader, toPong.Writer, new Ball(Messages - 1, null)));
        var pong = Task.Run(() => Play(toPong.Reader, toPing.Writer, null));
        return Task.WhenAll(ping, pong);
    }

    private static async Task Play(ChannelReader<Ball> inbox, ChannelWriter<Ball> outbox, Ball? serve)
    {
        if (serve is not null)
        {
            outbox.TryWrite(serve);
        }

        while (await inbox.WaitToReadAsync().ConfigureAwait(false))
        {
            while (inbox.TryRead(out var ball))
            {
                if (ball.Remaining == 0)
                {
                    outbox.Complete();
                    return;
                }

                outbox.TryWrite(ball.Next());
            }
        }

        outbox.Complete();
    }
}
