using MoViSharp.Families.MoViNets;
using MoViSharp.Layers;
using MoViSharp.Layers.Transformers;
using MoViSharp.Models;
using MoViSharp.Streaming;

namespace MoViSharp.Families.ContinualTransformers;

/// <summary>
/// Per-frame MoViNet-Stream features → projection → recycling positions → continual transformer encoder → logits per frame.
/// Everything is causal, so the model streams with delay 0; the backbone compiles to the fused path, the encoder runs as it is.
/// </summary>
public sealed class CoTransformerNet : VideoModel
{
    private readonly CoTransformerConfig config;

    public override ModelConfig Config => config;

    public CoTransformerNet(CoTransformerConfig config) : base($"CoTransformer-{config.Name}", Parts(config)) => this.config = config;

    private static IEnumerable<(string, StreamModule)> Parts(CoTransformerConfig c)
    {
        if (!c.Backbone.Causal) throw new ArgumentException("The feature extractor must be a causal (stream) MoViNet.");
        var backbone = new MoViNet(c.Backbone with { NumClasses = 1 });
        yield return ("stem", backbone.Stem);
        yield return ("blocks", (StreamModule)backbone.Items.Single(i => i.Name == "blocks").Module);
        yield return ("head", backbone.Head);
        yield return ("pool", new SpatialAveragePool());
        yield return ("project", new ConvUnit(c.Backbone.HeadChannels, c.Channels, (1, 1, 1), useBias: true, batchNorm: false));
        yield return ("position", new RecyclingPositionalEncoding(c.Positions, c.Channels));
        yield return ("encoder", new ContinualTransformerEncoder(c.Channels, c.Heads, c.FeedForward, c.Blocks, c.Window));
        yield return ("classifier", new ConvUnit(c.Channels, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false));
    }
}
