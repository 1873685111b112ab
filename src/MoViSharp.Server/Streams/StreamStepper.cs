using System.Runtime.InteropServices;
using MoViSharp.Classification;
using MoViSharp.Server.Events;
using MoViSharp.Streaming;
using MoViSharp.Video;
using static TorchSharp.torch;

namespace MoViSharp.Server.Streams;

/// <summary>
/// One stream advanced on its own (no batch): the state, the results and the restart at a new video. The cluster's grains run
/// streams with it; the single-machine scheduler batches the same steps through <see cref="MultiStreamRunner"/> instead.
/// Steps on a shared classifier are serialised on it (several grains of one silo may share a model).
/// </summary>
public sealed class StreamStepper : IDisposable
{
    private readonly IVideoClassifier classifier;
    private readonly object gate;   // the shared model, not this stream's wrapper of it
    private IClassifierState state;

    public StreamResults Results { get; }
    public int Size { get; }

    public StreamStepper(IVideoClassifier classifier, StreamResults results)
    {
        gate = classifier;
        this.classifier = classifier.NotStreamableReason is null ? classifier : new SlidingClipClassifier(classifier);
        Results = results;
        Size = classifier.Preprocessing.Size;
        state = this.classifier.InitialState(1, Size, Size);
    }

    /// <summary>Advances by one frame; returns the label change it completes, if any.</summary>
    public LabelEvent? Advance(QueuedFrame frame)
    {
        if (frame.StartsVideo)
        {
            state.Dispose();
            state = classifier.InitialState(1, Size, Size);
            Results.StartVideo();
        }
        float[]? logits;
        using (var scope = NewDisposeScope())
        {
            var x = empty([1, 3, Size, Size], ScalarType.Float32);
            FrameConversion.ToChwFloat(frame.Rgb, MemoryMarshal.Cast<byte, float>(x.bytes), Size, Size);
            lock (gate) logits = classifier.Step(x, state)?.data<float>().ToArray();
        }
        return logits is null ? null : Results.Record(logits, frame.Index, FrameClock.Seconds(FrameClock.Now - frame.ArrivedTicks) * 1000, frame.TrueClass);
    }

    /// <summary>The stream state (new tensors), for a checkpoint.</summary>
    public StreamState Export() => classifier.Export(state);

    /// <summary>Continues from a checkpointed state.</summary>
    public void Import(StreamState saved)
    {
        state.Dispose();
        state = classifier.Import(saved, Size, Size);
    }

    public void Dispose() => state.Dispose();
}
