using MoViSharp.Classification;
using MoViSharp.Families.MoViNets;
using MoViSharp.Inference;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Streaming;

public class SlidingClipClassifierTests
{
    [Fact]
    public void AClipModelClassifiesEachWindowOfItsClipLengthEveryHopFrames()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(new MoViNet(MoViNetSpecs.Get("t0", MoViNetVariant.Base) with { NumClasses = 5, NativeFrames = 4, NativeSize = 40 }));
        using var compiled = ModelCompiler.Compile(model);
        using var session = new StreamingSession(compiled, hop: 2);
        var clip = TestModels.Clip(9, 40, seed: 3);
        var emitted = new List<int>();
        for (int t = 0; t < 9; t++)
        {
            var logits = session.Push(clip.select(2, t).squeeze(0));
            if (logits is null) continue;
            emitted.Add(t);
            using var mode = inference_mode();
            var expected = model.forward(clip.narrow(2, t - 3, 4)).squeeze(0).data<float>().ToArray();   // the window ending at t
            Assert.True(logits.Zip(expected).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4, $"frame {t}");
        }
        Assert.Equal([3, 5, 7], emitted);                                  // first full window, then every 2 frames
        Assert.Equal(9, session.FramesSeen);
    }
}
