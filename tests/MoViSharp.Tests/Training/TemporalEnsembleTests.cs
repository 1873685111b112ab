using MoViSharp.Classification;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Training;

public class TemporalEnsembleTests
{
    [Fact]
    public void SplitTakesEvenAndOddFrames()
    {
        using var scope = NewDisposeScope();
        var clip = arange(7, dtype: ScalarType.Float32).view(1, 1, 7, 1, 1).expand(2, 3, 7, 4, 4).contiguous();
        var (even, odd) = TemporalEnsemble.Split(clip);
        Assert.Equal(new float[] { 0, 2, 4, 6 }, even[0, 0, .., 0, 0].data<float>().ToArray());
        Assert.Equal(new float[] { 1, 3, 5 }, odd[1, 2, .., 0, 0].data<float>().ToArray());
    }

    [Fact]
    public void EnsembleAveragesEachMembersLogitsOnItsHalfRateFrames()
    {
        using var scope = NewDisposeScope();
        var even = TestModels.Randomize(TinyModels.Create(), 5);
        var odd = TestModels.Randomize(TinyModels.Create(), 6);
        using var ensemble = new TemporalEnsemble(new ModelClassifier(even), new ModelClassifier(odd));
        var clip = TestModels.Clip(8, 32);
        using var mode = inference_mode();
        var expected = even.Logits(clip.index_select(2, tensor(new long[] { 0, 2, 4, 6 })))
            .add(odd.Logits(clip.index_select(2, tensor(new long[] { 1, 3, 5, 7 })))).div(2);
        var logits = ensemble.ClipLogits(clip);
        Assert.Equal(new long[] { 1, 4, 4 }, logits.shape);
        Assert.True(TestModels.MaxAbsDiff(logits, expected) < 1e-6);
        Assert.Equal(2, ensemble.FramesSeen(0, 4, 8));
        Assert.Equal(8, ensemble.FramesSeen(3, 4, 8));
    }
}
