using System.Threading.Channels;

namespace MoViSharp.Server.Web;

/// <summary>
/// Fans server-sent events out to every listener. Each listener has a small bounded queue that drops its oldest message when the
/// listener is slow: a stalled browser misses updates, it never slows the scheduler or another listener.
/// </summary>
public sealed class LiveFeed
{
    private readonly Lock gate = new();
    private readonly List<Channel<(string Event, string Data)>> listeners = [];

    public int Listeners { get { lock (gate) return listeners.Count; } }

    public void Publish(string eventName, string json)
    {
        lock (gate)
            foreach (var l in listeners) l.Writer.TryWrite((eventName, json));
    }

    public ChannelReader<(string Event, string Data)> Subscribe(CancellationToken until)
    {
        var channel = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(512) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (gate) listeners.Add(channel);
        until.Register(() =>
        {
            lock (gate) listeners.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }
}
