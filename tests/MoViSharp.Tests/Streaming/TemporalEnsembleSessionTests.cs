using MoViSharp.Classification;
using MoViSharp.Inference;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Streaming;

public class TemporalEnsembleSessionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StreamingEnsembleEqualsTheClipEnsembleAfterEachFramePair(bool compiled)
    {
        using var scope = NewDisposeScope();
        var a = TestModels.Stream("t0", classes: 4, seed: 1);
        var b = TestModels.Stream("t0", classes: 4, seed: 2);
        var clip = TestModels.Clip(6, 40);
        Tensor expected;
        using (inference_mode()) expected = TemporalEnsemble.Average(a.Logits(TemporalEnsemble.Split(clip).Even),
                                                                   b.Logits(TemporalEnsemble.Split(clip).Odd)).squeeze(0);
        IVideoClassifier Member(MoViSharp.Models.VideoModel m) => compiled ? ModelCompiler.Compile(m) : new ModelClassifier(m);
        using var ensemble = new TemporalEnsemble(Member(a), Member(b));
        using var session = new StreamingSession(ensemble, 40, 40);
        for (int t = 0; t < 6; t++)
        {
            var logits = session.Push(clip.select(2, t).squeeze(0))!;
            if (t % 2 == 1)
                Assert.All(logits.Zip(expected[t / 2].data<float>().ToArray()), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4));
        }
        Assert.Equal(6, session.FramesSeen);
    }

    [Fact]
    public void AnEnsembleStateLeavesAndRejoinsAMultiStreamRunner()
    {
        using var scope = NewDisposeScope();
        var a = TestModels.Stream("t0", classes: 4, seed: 1);
        var b = TestModels.Stream("t0", classes: 4, seed: 2);
        var clip = TestModels.Clip(6, 40);
        using var reference = new TemporalEnsemble(new ModelClassifier(a), new ModelClassifier(b));
        using var alone = new StreamingSession(reference, 40, 40);
        using var ensemble = new TemporalEnsemble(ModelCompiler.Compile(a), ModelCompiler.Compile(b));
        using var runner = new MultiStreamRunner(ensemble, 40, 40);
        int id = runner.Join();
        for (int t = 0; t < 6; t++)
        {
            var expected = alone.Push(clip.select(2, t).squeeze(0))!;
            var actual = runner.Step(new Dictionary<int, Tensor> { [id] = clip.select(2, t).squeeze(0) })[id];
            Assert.All(actual.Zip(expected), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4, $"frame {t}"));
            if (t == 2)
            {
                using var state = runner.Leave(id);               // hand the stream over mid-way, parity and last logits included
                id = runner.Join(state);
            }
        }
    }
}
