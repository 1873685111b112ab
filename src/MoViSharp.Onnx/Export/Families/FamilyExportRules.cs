using MoViSharp.Onnx.Export.Families.MViT;

namespace MoViSharp.Onnx.Export.Families;

/// <summary>
/// The export rules of registered families for the modules that are their own (not the shared blocks, which the built-in rules
/// know): tried after <see cref="OnnxExportOptions.Rules"/> and before the built-in rules. A family whose blocks are all shared
/// needs none; one with its own modules adds its rules here, one line per family.
/// </summary>
public static class FamilyExportRules
{
    public static IReadOnlyList<IOnnxExportRule> All { get; } =
    [
        new BasicBlockExportRule(),                                     // VideoResNets (r3d_18, mc3_18, r2plus1d_18)
        new TokenEmbeddingExportRule(), new MultiscaleBlockExportRule(), new MultiscaleAttentionExportRule(),
        new TokenMaxPoolExportRule(), new ClassTokenHeadExportRule(),   // MViT (mvit_v1_b, mvit_v2_s)
        new X3DBlockExportRule(),                                       // X3D (x3d_*) and CoX3D (cox3d_*)
        new SlowFastExportRule(),                                       // SlowFast (slow_r50, slowfast_r50) and CoSlow
        new TinyVideoNetExportRule(),                                   // Tiny Video Networks (tvn1..tvn4)
        new TsmBlockExportRule(),
        new BlvnetExportRule(),                                         // bLVNet-TAM (blvnet_*)                                       // TSM (tsm_*, offline and online)
    ];
}
