using MoViSharp.Layers;
using MoViSharp.Models;
using MoViSharp.Streaming;
using MoViSharp.Streaming.Containers;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// A Tiny Video Network built from a <see cref="TvnConfig"/>: the blocks' instances (<c>blocks.B_R</c>: block B, repeat R) on
/// [B, 3, T, H, W], then the mean over time and space, dropout (training only) and the dense classifier <c>fc</c> (a 1×1×1 conv
/// with bias). A clip model: SE, context gates and the head pool over the whole clip.
/// </summary>
public sealed class TvnNet : VideoModel
{
    private readonly TvnConfig config;

    public override ModelConfig Config => config;
    public TvnConfig Spec => config;
    public IReadOnlyList<TvnBlock> Instances { get; }

    public TvnNet(TvnConfig config) : this(config, Parts.Of(config)) { }

    private TvnNet(TvnConfig config, Parts parts) : base($"TVN-{config.Id}", parts.Named)
    {
        this.config = config;
        Instances = parts.Instances;
    }

    private sealed record Parts(IReadOnlyList<TvnBlock> Instances, IReadOnlyList<(string, StreamModule)> Named)
    {
        public static Parts Of(TvnConfig c)
        {
            c.Validate();
            var instances = new List<(string, StreamModule)>();
            var list = new List<TvnBlock>();
            int channels = 3, frames = c.Frames;
            for (int b = 0; b < c.Blocks.Count; b++)
            {
                var spec = c.Blocks[b];
                // The first instance strides and uses the temporal op; repeats alternate it off, on, off, … at stride 1.
                bool useTemporal = false;
                for (int r = 0; r < spec.Repeats; r++)
                {
                    var block = new TvnBlock(channels, frames, spec, first: r == 0, useTemporal: r == 0 || useTemporal, c.BatchNormEpsilon, c.BatchNormMomentum);
                    if (r > 0) useTemporal = !useTemporal;
                    // Repeats keep the frame count of the block's first instance (tiny_video_net.py ignores theirs).
                    if (r == 0) frames = block.FramesOut;
                    channels = block.OutChannels;
                    list.Add(block);
                    instances.Add(($"{b}_{r}", block));
                }
            }
            var fc = new ConvUnit(channels, c.NumClasses, (1, 1, 1), useBias: true, batchNorm: false, padding: (0, 0, 0));
            using (no_grad()) nn.init.normal_(fc.Weight, 0, 0.01);      // TF's dense init, stddev 0.01
            return new Parts(list,
            [
                ("blocks", new Sequential("Blocks", instances)),
                ("pool", new GlobalAveragePool()),
                ("dropout", new Dropout(c.DropoutRate)),
                ("fc", fc),
            ]);
        }
    }
}
