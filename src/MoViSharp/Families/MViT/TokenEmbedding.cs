using MoViSharp.Profiling;
using MoViSharp.Streaming;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MoViSharp.Families.MViT;

/// <summary>
/// Patch features [B, C, T, H, W] → tokens [B, 1+T·H·W, C] (time slowest, then height, then width), a learnt class token first.
/// v1 adds absolute positions: a temporal table [T, C] repeated over each frame's patches, a spatial table [H·W, C] repeated over
/// frames, and the class token's own position. The tables fix the clip size the model runs on.
/// </summary>
public sealed class TokenEmbedding : StreamModule
{
    private readonly Parameter classToken;
    private readonly Parameter? spatialPositions, temporalPositions, classPosition;

    public TokenGrid Grid { get; }
    public Parameter ClassToken => classToken;
    public bool AbsolutePositions => spatialPositions is not null;

    public TokenEmbedding(int channels, TokenGrid grid, bool absolutePositions) : base(nameof(TokenEmbedding))
    {
        Grid = grid;
        Parameter Table(string name, params long[] shape)
        {
            var table = new Parameter(empty(shape));
            using (no_grad()) nn.init.trunc_normal_(table, std: 0.02);
            register_parameter(name, table);
            return table;
        }
        classToken = Table("class_token", channels);
        if (absolutePositions)
        {
            spatialPositions = Table("spatial_positions", grid.Height * grid.Width, channels);
            temporalPositions = Table("temporal_positions", grid.Time, channels);
            classPosition = Table("class_position", channels);
        }
    }

    public override Tensor Forward(Tensor x, StreamState? state)
    {
        if (state is not null) throw new NotSupportedException(NotStreamableReason);
        if (x.dim() != 5 || x.shape[2] != Grid.Time || x.shape[3] != Grid.Height || x.shape[4] != Grid.Width)
            throw new ArgumentException($"This MViT is built for a {Grid} patch grid (its positions fix the clip size); the clip gives " +
                $"[{string.Join(", ", x.shape.Skip(2))}]. Use the model's clip size, or build it for another (temporal_size, spatial_size).");
        long batch = x.shape[0], channels = x.shape[1];
        var tokens = x.flatten(2).transpose(1, 2);
        var cls = classToken.expand(batch, channels).unsqueeze(1);
        tokens = cat([cls, tokens], 1);
        if (spatialPositions is null) return tokens;
        var grid = temporalPositions!.repeat_interleave(Grid.Height * Grid.Width, dim: 0)
            .add(spatialPositions.unsqueeze(0).expand(Grid.Time, -1, -1).reshape(-1, channels));
        var positions = cat([classPosition!.unsqueeze(0), grid], 0).unsqueeze(0);
        return tokens.add(positions);
    }

    public override string NotStreamableReason =>
        $"{(Path.Length == 0 ? "the token embedding" : Path)} makes one token sequence of the whole clip, with a class token that summarises every frame";

    public override VideoShape Trace(VideoShape input, ModelTrace trace) => input;

    /// <summary>Children and parameters are registered by name in the constructor, never again by reflection over fields.</summary>
    protected override void RegisterComponents() { }
}
