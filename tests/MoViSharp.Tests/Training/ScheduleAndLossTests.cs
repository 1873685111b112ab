using MoViSharp.Training;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Training;

public class ScheduleAndLossTests
{
    [Fact]
    public void WarmupIsLinearThenCosineDecaysToZero()
    {
        var s = new WarmupCosineSchedule(1.0, WarmupSteps: 4, TotalSteps: 14);
        Assert.Equal(0.25, s.At(0), 12);
        Assert.Equal(0.75, s.At(2), 12);
        Assert.Equal(1.0, s.At(4), 12);                 // decay starts at the peak
        Assert.Equal(0.5, s.At(9), 12);                 // half way: cos(π/2)
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.3)), s.At(7), 12);
        Assert.Equal(0.0, s.At(14), 12);
        Assert.Equal(0.0, s.At(20), 12);
    }

    [Fact]
    public void LabelSmoothingLossMatchesHandComputation()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0, MathF.Log(3), 0, 0 }, [2, 2]);      // p = (0.25, 0.75) and (0.5, 0.5)
        var targets = tensor(new long[] { 1, 0 });
        double row0 = 0.8 * -Math.Log(0.75) + 0.2 * -(Math.Log(0.25) + Math.Log(0.75)) / 2;
        double row1 = Math.Log(2);
        Assert.Equal((row0 + row1) / 2, SmoothedCrossEntropy.Loss(logits, targets, 0.2).item<float>(), 5);
        Assert.Equal((-Math.Log(0.75) + Math.Log(2)) / 2, SmoothedCrossEntropy.Loss(logits, targets, 0).item<float>(), 5);
    }
}
