using MoViSharp.Models;
using MoViSharp.Weights;
using MoViSharp.Weights.Formats;
using MoViSharp.Weights.Layouts;
using static TorchSharp.torch;

namespace MoViSharp.Families.MViT;

/// <summary>
/// torchvision's MViT state dict (<c>torch.save(model.state_dict())</c>, bare; a DataParallel <c>module.</c> prefix is stripped):
/// <c>conv_proj</c>, <c>pos_encoding.*</c>, <c>blocks.N.{norm1,norm2,attn.{qkv,project.0,pool_q/k/v.{pool,norm_act.0},rel_pos_h/w/t},
/// mlp.{0,3},project}</c>, <c>norm</c>, <c>head.1</c>. Every tensor keeps its shape; only names differ from ours. The file does not
/// name its architecture: a registered MViT whose tensors it matches is found by shape (any class count), otherwise
/// <c>--model</c> or <c>--config</c> says which. Knows names and shapes, nothing of bytes.
/// </summary>
public sealed class TorchvisionLayout : ICheckpointLayout
{
    private const string DataParallelPrefix = "module.";
    private const string ClassifierKey = "head.1.weight";

    public string Name => "torchvision";

    /// <summary>True for torchvision MViT keys: a patch conv <c>conv_proj</c> and a class token <c>pos_encoding.class_token</c>.</summary>
    public bool Matches(NamedTensors tensors)
    {
        var names = tensors.Names.Select(Unprefixed).ToHashSet(StringComparer.Ordinal);
        return names.Contains("conv_proj.weight") && names.Contains("pos_encoding.class_token");
    }

    public VideoModel Load(NamedTensors tensors, string source, CheckpointHints hints)
    {
        var named = tensors.Names.ToDictionary(Unprefixed, n => tensors[n], StringComparer.Ordinal);
        if (!named.TryGetValue(ClassifierKey, out var classifier) || classifier.dim() != 2)
            throw new InvalidDataException($"{source} has no '{ClassifierKey}' [classes, channels] (the classifier), so it is not a complete torchvision MViT state dict.");
        var config = Architecture(named, source, hints) with { NumClasses = (int)classifier.shape[0] };
        return StrictLoader.Build(config, named, m => Mappings(((MViT)m).Spec), source);
    }

    public NamedTensors Export(VideoModel model)
    {
        var mvit = model as MViT ?? throw new ArgumentException($"The torchvision MViT layout holds MViTs, not '{model.Config.Family}' models.");
        var result = new NamedTensors();
        foreach (var (name, tensor) in StrictLoader.Export(model, Mappings(mvit.Spec))) result.Add(name, tensor.clone());
        return result;
    }

    /// <summary>(torchvision key → our key) for every tensor of <paramref name="config"/>, in torchvision's order.</summary>
    public static IEnumerable<KeyMapping> Mappings(MViTConfig config) => Entries(config).Select(e => new KeyMapping(e.Upstream, e.Ours));

    /// <summary>Every tensor of <paramref name="config"/>: torchvision's key, ours and the shape, in torchvision's state-dict order.</summary>
    public static IReadOnlyList<(string Upstream, string Ours, long[] Shape)> Entries(MViTConfig config)
    {
        var geometry = MViTGeometry.Blocks(config);
        var entries = new List<(string, string, long[])>();
        void Add(string upstream, string ours, params long[] shape) => entries.Add((upstream, ours, shape));
        void Norm(string upstream, string ours, long channels)
        {
            Add($"{upstream}.weight", $"{ours}.weight", channels);
            Add($"{upstream}.bias", $"{ours}.bias", channels);
        }
        void Linear(string upstream, string ours, long inputs, long outputs)
        {
            Add($"{upstream}.weight", $"{ours}.weight", outputs, inputs);
            Add($"{upstream}.bias", $"{ours}.bias", outputs);
        }

        long c0 = config.Blocks[0].InChannels;
        var (kt, kh, kw) = config.PatchKernel;
        Add("conv_proj.weight", "patch_embed.weight", c0, 3, kt, kh, kw);
        Add("conv_proj.bias", "patch_embed.bias", c0);
        Add("pos_encoding.class_token", "tokens.class_token", c0);
        if (!config.RelativePositions)
        {
            var grid = MViTGeometry.PatchGrid(config);
            Add("pos_encoding.spatial_pos", "tokens.spatial_positions", grid.Height * grid.Width, c0);
            Add("pos_encoding.temporal_pos", "tokens.temporal_positions", grid.Time, c0);
            Add("pos_encoding.class_pos", "tokens.class_position", c0);
        }
        for (int i = 0; i < config.Blocks.Count; i++)
        {
            var b = config.Blocks[i];
            string up = $"blocks.{i}", ours = $"blocks.{i}";
            long width = config.ProjectAfterAttention ? b.OutChannels : b.InChannels, headDim = width / b.Heads;
            Norm($"{up}.norm1", $"{ours}.norm1", b.InChannels);
            Norm($"{up}.norm2", $"{ours}.norm2", width);
            if (config.RelativePositions)
            {
                Add($"{up}.attn.rel_pos_h", $"{ours}.attention.rel_pos_height", geometry[i].RelativeSpatialLength, headDim);
                Add($"{up}.attn.rel_pos_w", $"{ours}.attention.rel_pos_width", geometry[i].RelativeSpatialLength, headDim);
                Add($"{up}.attn.rel_pos_t", $"{ours}.attention.rel_pos_time", geometry[i].RelativeTemporalLength, headDim);
            }
            Linear($"{up}.attn.qkv", $"{ours}.attention.qkv", b.InChannels, 3 * width);
            Linear($"{up}.attn.project.0", $"{ours}.attention.output", width, width);
            void Pool(string which, IReadOnlyList<int> kernel)
            {
                var (t, h, w) = MViTBlockSpec.Triple(kernel);
                Add($"{up}.attn.{which}.pool.weight", $"{ours}.attention.{which}.conv.weight", headDim, 1, t, h, w);
                Norm($"{up}.attn.{which}.norm_act.0", $"{ours}.attention.{which}.norm", headDim);
            }
            if (b.PoolsQueries) Pool("pool_q", b.KernelQ);
            if (b.PoolsKeysValues)
            {
                Pool("pool_k", b.KernelKv);
                Pool("pool_v", b.KernelKv);
            }
            Linear($"{up}.mlp.0", $"{ours}.mlp.fc1", width, 4 * width);
            Linear($"{up}.mlp.3", $"{ours}.mlp.fc2", 4 * width, b.OutChannels);
            if (b.InChannels != b.OutChannels) Linear($"{up}.project", $"{ours}.project", b.InChannels, b.OutChannels);
        }
        long last = config.Blocks[^1].OutChannels;
        Norm("norm", "norm", last);
        Linear("head.1", "head.linear", last, config.NumClasses);
        return entries;
    }

    private static string Unprefixed(string key) => key.StartsWith(DataParallelPrefix, StringComparison.Ordinal) ? key[DataParallelPrefix.Length..] : key;

    /// <summary>The architecture the user named, or the one registered MViT whose tensors the file holds (any class count).</summary>
    private static MViTConfig Architecture(IReadOnlyDictionary<string, Tensor> named, string source, CheckpointHints hints)
    {
        if (hints.Architecture is { } custom)
            return custom as MViTConfig ?? throw new ArgumentException($"{source} holds torchvision MViT weights; the given config is a '{custom.Family}' model.");
        if (hints.Model is { } name)
        {
            var entry = ModelRegistry.Entry(name, hints.Variant);
            return entry.Config as MViTConfig ?? throw new ArgumentException($"{source} holds torchvision MViT weights, not a '{entry.Family}' model ({entry.Name}).");
        }
        var candidates = ModelRegistry.Models.Select(e => e.Config).OfType<MViTConfig>().ToList();
        var fitting = candidates.Where(c => Fits(named, c)).ToList();
        if (fitting.Count == 1) return fitting[0];
        string kind = named.ContainsKey("pos_encoding.spatial_pos") ? "absolute positions (v1)" : "relative positions (v2)";
        int blocks = named.Keys.Where(k => k.StartsWith("blocks.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Distinct().Count();
        throw new InvalidDataException($"{source} holds a torchvision MViT ({kind}, {blocks} blocks) whose tensors match " +
            (fitting.Count == 0 ? "no registered MViT" : $"several registered MViTs ({string.Join(", ", fitting.Select(f => f.Name))})") +
            $" ({string.Join(", ", candidates.Select(c => c.Name))}); pass --model, or --config with its architecture (block_setting, sizes; see docs/families/mvit.md).");
    }

    /// <summary>True when the file has exactly <paramref name="config"/>'s tensors with its shapes (the classifier's class count aside).</summary>
    private static bool Fits(IReadOnlyDictionary<string, Tensor> named, MViTConfig config)
    {
        var entries = Entries(config);
        if (entries.Count != named.Count) return false;
        foreach (var (upstream, _, shape) in entries)
        {
            if (!named.TryGetValue(upstream, out var tensor) || tensor.dim() != shape.Length) return false;
            bool classDim = upstream.StartsWith("head.1.", StringComparison.Ordinal);
            for (int d = classDim ? 1 : 0; d < shape.Length; d++)
                if (tensor.shape[d] != shape[d]) return false;
        }
        return true;
    }
}
