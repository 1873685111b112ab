using System.Text;
using MoViSharp.Server;
using MoViSharp.Server.Streams;
using MoViSharp.Server.Web;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// The server's request bodies under fuzzing: the JSON of POST /streams (<see cref="StreamSpecBody.Decode"/>) and the binary
/// frames a client pushes (a WebSocket's messages through the endpoint's receive loop, then the bytes as one HTTP body). Their
/// contract: only <see cref="BadRequestException"/> with a 4xx status and a message escapes, and only whole frames reach the stream.
/// </summary>
internal static class ServerFuzzTargets
{
    /// <summary>Refusals carry a 4xx status and say something; they need not name a file (there is none).</summary>
    public static bool IsRefusal(Exception e) => e is BadRequestException { Status: >= 400 and < 500 } b && !string.IsNullOrWhiteSpace(b.Message);

    public static readonly Lazy<FuzzTarget> StreamSpecs = new(() => new FuzzTarget("stream-spec", "",
        [.. new[]
        {
            """{"kind":"synthetic","fps":30,"id":"cam-1","seed":7}""",
            """{"kind":"file","source":"/videos/a.mp4","loop":true,"model":"toy","fps":12.5}""",
            """{"Kind":"url","Source":"rtsp://10.0.0.2/live","id":"door_2"}""",
            """{"id":"phone","kind":"push"}""",
            """{}""",
        }.Select(json => (Encoding.UTF8.GetBytes(json), (IInputMutator)new JsonBodyMutator()))],
        bytes => StreamSpecBody.Decode(bytes),
        IsRefusal));

    /// <summary>Frames of 8×6 rgb24 (144 bytes), so that whole, short, long and fragmented messages are all cheap.</summary>
    private const int Width = 8, Height = 6;

    public static readonly Lazy<FuzzTarget> PushFrames = new(() => new FuzzTarget("push-frames", "",
        [.. new[]
        {
            PushScript.Encode([(PushScript.Binary, true, Frame(1)), (PushScript.Binary, true, Frame(2))]),
            PushScript.Encode([(PushScript.Binary, false, Frame(3)[..50]), (PushScript.Binary, false, Frame(3)[50..100]), (PushScript.Binary, true, Frame(3)[100..]),
                               (PushScript.Text, true, Encoding.UTF8.GetBytes("hello"))]),
            PushScript.Encode([(PushScript.Binary, true, Frame(4)[..143]), (PushScript.Close, true, [])]),
        }.Select(s => (s, (IInputMutator)new PushScriptMutator()))],
        PushAll,
        IsRefusal));

    private static byte[] Frame(int seed) => [.. Enumerable.Range(0, Width * Height * 3).Select(i => (byte)(i * seed))];

    /// <summary>Plays the input as a client's WebSocket messages, then pushes the raw bytes as one HTTP body.</summary>
    private static void PushAll(byte[] input)
    {
        var push = new PushSource(Width, Height);
        var frames = new List<QueuedFrame>();
        using var stop = new CancellationTokenSource();
        var running = push.RunAsync(frames.Add, stop.Token);
        try
        {
            var script = PushScript.Decode(input);
            using (var socket = new ScriptedWebSocket(script))
                Endpoints.ReceiveFramesAsync(socket, push, CancellationToken.None).GetAwaiter().GetResult();
            int expected = PushScript.WholeFramesBeforeTheFirstBadMessage(script, push.FrameBytes);
            // Not a refusal: an exception of its own type fails the input (ReaderContract).
            if (frames.Count != expected || frames.Any(f => f.Rgb.Length != push.FrameBytes))
                throw new InvalidOperationException($"{frames.Count} frames reached the stream ({string.Join(", ", frames.Select(f => f.Rgb.Length))} bytes), expected {expected} of {push.FrameBytes}");
            push.Push(input);
            if (input.Length != push.FrameBytes || frames[^1].Rgb.Length != push.FrameBytes)
                throw new InvalidOperationException($"a {input.Length}-byte body was accepted as a {push.FrameBytes}-byte frame");
        }
        finally
        {
            stop.Cancel();
            running.GetAwaiter().GetResult();
        }
    }
}
