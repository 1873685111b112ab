using MoViSharp.Weights.Formats;
using static TorchSharp.torch;

namespace MoViSharp.Tests.Weights.Formats;

public class NamedTensorsTests
{
    [Fact]
    public void Keeps_insertion_order_and_owns_its_tensors()
    {
        var named = new NamedTensors([new("k", "v")]);
        Tensor b, a;
        using (NewDisposeScope())
        {
            b = ones(2);
            a = zeros(3);
            named.Add("b", b);
            named.Add("a", a);
        }
        Assert.False(b.IsInvalid); // survived the scope
        Assert.Equal(["b", "a"], named.Names);
        Assert.Equal(["b", "a"], named.Select(p => p.Key));
        Assert.Equal("v", named.Metadata["k"]);
        Assert.Same(a, named["a"]);
        Assert.Throws<ArgumentException>(() => named.Add("a", ones(1)));
        Assert.Throws<ArgumentException>(() => named.Add("t", ones(2, 3).t()));

        using (var taken = named.Take("b"))
            Assert.Equal(["a"], named.Names);
        named.Dispose();
        Assert.True(a.IsInvalid);
        Assert.Throws<ObjectDisposedException>(() => named["a"]);
    }
}
