using MoViSharp.Classification;
using MoViSharp.Streaming;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Streaming;

public class StreamingSessionTests
{
    [Fact]
    public void SessionGivesTheWholeClipLogitsFrameByFrameAndResets()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Stream("t0", classes: 5);
        var clip = TestModels.Clip(4, 40);
        Tensor whole;
        using (inference_mode()) whole = model.Logits(clip);
        var labels = new[] { "a", "b", "c", "d", "e" };
        using var classifier = new ModelClassifier(model, labels);
        using var session = new StreamingSession(classifier, 40, 40);
        for (int t = 0; t < 4; t++)
        {
            var logits = session.Push(clip.select(2, t).squeeze(0))!;
            var expected = whole[0, t].data<float>().ToArray();
            Assert.All(logits.Zip(expected), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4));
        }
        Assert.Equal(4, session.FramesSeen);
        var top = session.Top(2);
        Assert.Equal(2, top.Count);
        Assert.Equal(labels[Softmax.ArgMax(whole[0, 3].data<float>().ToArray())], top[0].Label);
        Assert.True(top[0].Probability >= top[1].Probability);
        session.Reset();
        Assert.Equal(0, session.FramesSeen);
        Assert.Empty(session.Top(3));
        var again = session.Push(clip.select(2, 0).squeeze(0))!;
        Assert.All(again.Zip(whole[0, 0].data<float>().ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4));
    }

    [Fact]
    public void SoftmaxTopKIsSortedAndSumsToOne()
    {
        var p = Softmax.Probabilities([1f, 3f, 2f]);
        Assert.Equal(1.0, p.Sum(), 5);
        Assert.Equal([1, 2, 0], Softmax.TopK([1f, 3f, 2f], 3).Select(x => x.Index));
    }
}
