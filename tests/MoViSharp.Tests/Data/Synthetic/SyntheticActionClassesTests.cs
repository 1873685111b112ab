using MoViSharp.Data.Synthetic;

namespace MoViSharp.Tests.Data.Synthetic;

public class SyntheticActionClassesTests
{
    [Fact]
    public void Synthetic_Classes_AtLeastTenWithAtLeastHalfTemporalOrder()
    {
        var all = SyntheticActionClasses.All;
        Assert.True(all.Count >= 10);
        Assert.True(all.Count(c => c.IsTemporalOrder) * 2 >= all.Count);
        Assert.Contains(all, c => !c.IsTemporalOrder);
        Assert.Equal(Enumerable.Range(0, all.Count), all.Select(c => c.Index));
        Assert.Equal(all.Count, all.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void Synthetic_Classes_ReversePairsAreSymmetric()
    {
        foreach (var c in SyntheticActionClasses.All.Where(c => c.IsTemporalOrder))
        {
            var partner = SyntheticActionClasses.Get(c.ReverseIndex!.Value);
            Assert.Equal(c.Index, partner.ReverseIndex);
            Assert.Equal(c.Motion, partner.Motion);
            Assert.NotEqual(c.PlayedBackwards, partner.PlayedBackwards);
            Assert.Equal(c.SceneIndex, partner.SceneIndex);
        }
        Assert.All(SyntheticActionClasses.All.Where(c => !c.IsTemporalOrder), c => Assert.False(c.PlayedBackwards));
    }

    [Theory]
    [InlineData("move_left", "move_right")]
    [InlineData("move_up", "move_down")]
    [InlineData("grow", "shrink")]
    [InlineData("rotate_cw", "rotate_ccw")]
    [InlineData("appear", "disappear")]
    public void Synthetic_Classes_NamedPairs(string a, string b) =>
        Assert.Equal(SyntheticActionClasses.Get(b).Index, SyntheticActionClasses.Get(a).ReverseIndex);

    [Fact]
    public void Synthetic_Classes_UnknownNameListsKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => SyntheticActionClasses.Get("jump"));
        Assert.Contains("unknown synthetic class 'jump' (known: move_left, move_right", e.Message);
    }
}
