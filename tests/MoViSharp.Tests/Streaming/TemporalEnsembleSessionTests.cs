using MoViSharp.Streaming;
using MoViSharp.Training;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Streaming;

public class TemporalEnsembleSessionTests
{
    [Fact]
    public void StreamingEnsembleEqualsTheClipEnsembleAfterEachFramePair()
    {
        using var scope = NewDisposeScope();
        var a = TestModels.Stream("t0", classes: 4, seed: 1);
        var b = TestModels.Stream("t0", classes: 4, seed: 2);
        var clip = TestModels.Clip(6, 40);
        Tensor expected;
        using (inference_mode()) expected = TemporalEnsemble.Average(a.Forward(TemporalEnsemble.Split(clip).Even, null),
                                                                   b.Forward(TemporalEnsemble.Split(clip).Odd, null)).squeeze(0);
        using var session = new TemporalEnsembleSession(a, b, 40, 40);
        for (int t = 0; t < 6; t++)
        {
            var logits = session.Push(clip.select(2, t).squeeze(0));
            if (t % 2 == 1)
                Assert.All(logits.Zip(expected[t / 2].data<float>().ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4));
        }
        Assert.Equal(6, session.FramesSeen);
    }
}
