using MoViSharp.Training;

namespace MoViSharp.Tests.Training;

public class ClassificationMetricsTests
{
    [Fact]
    public void TopOneTopFivePerClassAndConfusionAreExact()
    {
        // 6 classes; true labels 0,0,1,2,5 (classes 3 and 4 have no clips).
        var scores = new List<float[]>
        {
            new float[] { 9, 1, 0, 0, 0, 0 },   // 0 → 0 ✓
            new float[] { 1, 9, 0, 0, 0, 0 },   // 0 → 1 (rank 1: top-5)
            new float[] { 0, 5, 0, 0, 0, 0 },   // 1 → 1 ✓
            new float[] { 6, 5, 0, 4, 3, 2 },   // 2 → 0 (rank 5: 2 ties with nobody but five classes score higher → not top-5)
            new float[] { 1, 1, 1, 1, 1, 1 },   // 5 → 0 (all tie: rank 5 by the index rule → not top-5)
        };
        var labels = new[] { 0, 0, 1, 2, 5 };
        var m = ClassificationMetrics.From(scores, labels, 6);
        Assert.Equal(5, m.Clips);
        Assert.Equal(2 / 5.0, m.Top1, 12);
        Assert.Equal(3 / 5.0, m.Top5, 12);
        Assert.Equal(0.5, m.PerClass[0]);
        Assert.Equal(1.0, m.PerClass[1]);
        Assert.Equal(0.0, m.PerClass[2]);
        Assert.True(double.IsNaN(m.PerClass[3]));
        Assert.Equal(0.0, m.PerClass[5]);
        Assert.Equal(1, m.Confusion[0, 0]);
        Assert.Equal(1, m.Confusion[0, 1]);
        Assert.Equal(1, m.Confusion[1, 1]);
        Assert.Equal(1, m.Confusion[2, 0]);
        Assert.Equal(1, m.Confusion[5, 0]);
        Assert.Equal(5, m.Confusion.Cast<int>().Sum());
    }
}
