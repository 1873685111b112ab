using System.Text.Json;
using System.Text.Json.Nodes;

namespace MoViSharp.Families.MViT;

/// <summary>
/// An MViT configuration as JSON, in the words of torchvision's <c>MViT</c> constructor: {"family":"mvit","name","classes",
/// "block_setting":[{"num_heads","input_channels","output_channels","kernel_q","kernel_kv","stride_q","stride_kv"},…],
/// "spatial_size":[H,W],"temporal_size","residual_pool","residual_with_cls_embed","rel_pos_embed","proj_after_attn",
/// "dropout","attention_dropout","stochastic_depth_prob","patch_embed_kernel","patch_embed_stride","patch_embed_padding",
/// "layer_norm_eps","resize_short_side","fps"}. Only "block_setting" and "classes" are required; the rest default to
/// torchvision's (v1 switches off, 16×224², patch 3×7×7 / (2,4,4) / (1,3,3)).
/// </summary>
public static class MViTConfigJson
{
    public static string Write(MViTConfig c) => new JsonObject
    {
        ["family"] = c.Family,
        ["name"] = c.Name,
        ["classes"] = c.NumClasses,
        ["spatial_size"] = Array(c.SpatialSize.Height, c.SpatialSize.Width),
        ["temporal_size"] = c.TemporalSize,
        ["residual_pool"] = c.ResidualPool,
        ["residual_with_cls_embed"] = c.ResidualWithClassToken,
        ["rel_pos_embed"] = c.RelativePositions,
        ["proj_after_attn"] = c.ProjectAfterAttention,
        ["dropout"] = c.DropoutRate,
        ["attention_dropout"] = c.AttentionDropoutRate,
        ["stochastic_depth_prob"] = c.StochasticDepthRate,
        ["layer_norm_eps"] = c.LayerNormEpsilon,
        ["patch_embed_kernel"] = Array(c.PatchKernel.Time, c.PatchKernel.Height, c.PatchKernel.Width),
        ["patch_embed_stride"] = Array(c.PatchStride.Time, c.PatchStride.Height, c.PatchStride.Width),
        ["patch_embed_padding"] = Array(c.PatchPadding.Time, c.PatchPadding.Height, c.PatchPadding.Width),
        ["resize_short_side"] = c.ResizeShortSide,
        ["fps"] = c.Fps,
        ["block_setting"] = new JsonArray(c.Blocks.Select(b => (JsonNode)new JsonObject
        {
            ["num_heads"] = b.Heads,
            ["input_channels"] = b.InChannels,
            ["output_channels"] = b.OutChannels,
            ["kernel_q"] = Array([.. b.KernelQ]),
            ["kernel_kv"] = Array([.. b.KernelKv]),
            ["stride_q"] = Array([.. b.StrideQ]),
            ["stride_kv"] = Array([.. b.StrideKv]),
        }).ToArray()),
    }.ToJsonString();

    public static MViTConfig Read(string json, string source = "config")
    {
        JsonObject o;
        try { o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: the model config is not a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: the model config is not valid JSON ({e.Message})."); }

        var defaults = new MViTConfig { Name = "custom", NumClasses = 1, Blocks = [] };
        var blockNodes = o["block_setting"] as JsonArray ?? throw new InvalidDataException($"{source}: MViT config has no 'block_setting' array.");
        var blocks = blockNodes.Select((node, i) =>
        {
            var b = node as JsonObject ?? throw new InvalidDataException($"{source}: block_setting[{i}] is not an object.");
            string where = $"block_setting[{i}]";
            return new MViTBlockSpec(Get<int>(b, "num_heads", source, where), Get<int>(b, "input_channels", source, where),
                Get<int>(b, "output_channels", source, where), Ints(b, "kernel_q", source, where), Ints(b, "kernel_kv", source, where),
                Ints(b, "stride_q", source, where), Ints(b, "stride_kv", source, where));
        }).ToList();

        var config = defaults with
        {
            Name = Optional(o, "name", "custom", source),
            NumClasses = Get<int>(o, "classes", source, "config"),
            Blocks = blocks,
            SpatialSize = Optional(o, "spatial_size", source) is { } size ? Pair(size, "spatial_size", source) : defaults.SpatialSize,
            TemporalSize = Optional(o, "temporal_size", defaults.TemporalSize, source),
            ResidualPool = Optional(o, "residual_pool", defaults.ResidualPool, source),
            ResidualWithClassToken = Optional(o, "residual_with_cls_embed", defaults.ResidualWithClassToken, source),
            RelativePositions = Optional(o, "rel_pos_embed", defaults.RelativePositions, source),
            ProjectAfterAttention = Optional(o, "proj_after_attn", defaults.ProjectAfterAttention, source),
            DropoutRate = Optional(o, "dropout", defaults.DropoutRate, source),
            AttentionDropoutRate = Optional(o, "attention_dropout", defaults.AttentionDropoutRate, source),
            StochasticDepthRate = Optional(o, "stochastic_depth_prob", defaults.StochasticDepthRate, source),
            LayerNormEpsilon = Optional(o, "layer_norm_eps", defaults.LayerNormEpsilon, source),
            PatchKernel = Optional(o, "patch_embed_kernel", source) is { } k ? Triple(k, "patch_embed_kernel", source) : defaults.PatchKernel,
            PatchStride = Optional(o, "patch_embed_stride", source) is { } s ? Triple(s, "patch_embed_stride", source) : defaults.PatchStride,
            PatchPadding = Optional(o, "patch_embed_padding", source) is { } p ? Triple(p, "patch_embed_padding", source) : defaults.PatchPadding,
            ResizeShortSide = Optional(o, "resize_short_side", defaults.ResizeShortSide, source),
            Fps = o.ContainsKey("fps") ? Optional<double?>(o, "fps", null, source) : defaults.Fps,
        };
        try { MViTGeometry.Validate(config); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        return config;
    }

    private static JsonArray Array(params int[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static T Get<T>(JsonObject o, string key, string source, string where) =>
        o.TryGetPropertyValue(key, out var node) && node is not null ? Value<T>(node, key, source)
            : throw new InvalidDataException($"{source}: {where} has no '{key}'.");

    private static T Optional<T>(JsonObject o, string key, T fallback, string source) =>
        o.TryGetPropertyValue(key, out var node) && node is not null ? Value<T>(node, key, source) : fallback;

    private static JsonArray? Optional(JsonObject o, string key, string source) =>
        !o.TryGetPropertyValue(key, out var node) || node is null ? null
            : node as JsonArray ?? throw new InvalidDataException($"{source}: model config field '{key}' must be an array.");

    private static T Value<T>(JsonNode node, string key, string source)
    {
        try { return node.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{source}: model config field '{key}' has the wrong type (expected {typeof(T).Name})."); }
    }

    private static int[] Ints(JsonObject o, string key, string source, string where)
    {
        var array = o[key] as JsonArray ?? throw new InvalidDataException($"{source}: {where} has no '{key}' array.");
        return array.Select(n => n is null ? throw new InvalidDataException($"{source}: {where}.{key} holds null.") : Value<int>(n, key, source)).ToArray();
    }

    private static (int, int) Pair(JsonArray a, string key, string source) => a.Count == 2
        ? (Value<int>(a[0]!, key, source), Value<int>(a[1]!, key, source))
        : throw new InvalidDataException($"{source}: '{key}' must be [height, width].");

    private static (int, int, int) Triple(JsonArray a, string key, string source) => a.Count == 3
        ? (Value<int>(a[0]!, key, source), Value<int>(a[1]!, key, source), Value<int>(a[2]!, key, source))
        : throw new InvalidDataException($"{source}: '{key}' must be [t, h, w].");
}
