using MoViSharp.Training;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Training;

public class StreamBufferTrainingTests
{
    [Fact]
    public void StreamBufferAndWholeClipGiveTheSameLogitsAndLoss()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(TinyModels.Create(), seed: 3);        // eval mode: BN uses its statistics in both forms
        var clips = TestModels.Clip(8, 32, batch: 2);
        var labels = tensor(new long[] { 1, 3 });

        var whole = model.Logits(clips);                                // [2, 8, K], one causal pass
        var (streamLoss, final) = ClipObjective.StreamBuffer(model, clips, labels, 0.1, subClipFrames: 3, backward: false);
        Assert.True(TestModels.MaxAbsDiff(final, whole.select(1, -1)) < 1e-5, "final logits differ");

        // Sub-clips of 3 end after frames 3, 6 and 8: the stream-buffer loss is the mean loss at those frames of the whole-clip pass.
        var expected = new[] { 2, 5, 7 }.Average(t => SmoothedCrossEntropy.Loss(whole.select(1, t), labels, 0.1).item<float>());
        Assert.Equal(expected, streamLoss, 1e-5);   // a tolerance, not rounding: two paths may round across a digit
        // The whole-clip objective is the loss of the final logits.
        Assert.Equal(SmoothedCrossEntropy.Loss(whole.select(1, -1), labels, 0.1).item<float>(),
            SmoothedCrossEntropy.Loss(model.forward(clips), labels, 0.1).item<float>(), 1e-5);
    }

    [Fact]
    public void FirstSubClipGradientsEqualThoseOfTheWholeClipLossAtItsLastFrame()
    {
        using var scope = NewDisposeScope();
        var model = TestModels.Randomize(TinyModels.Create(), seed: 4);
        var clips = TestModels.Clip(8, 32, batch: 2);
        var labels = tensor(new long[] { 0, 2 });
        var weight = model.Stem.parameters().First();

        // One sub-clip of 4 frames (and nothing after it): gradient of its loss, through the stream-buffer path.
        model.zero_grad();
        ClipObjective.StreamBuffer(model, clips.narrow(2, 0, 4), labels, 0.0, subClipFrames: 4, backward: true);
        var streamGrad = weight.grad!.clone();

        model.zero_grad();
        SmoothedCrossEntropy.Loss(model.Logits(clips).select(1, 3), labels, 0.0).backward();
        Assert.True(TestModels.MaxAbsDiff(streamGrad, weight.grad!) < 1e-6);
    }
}
