namespace MoViSharp.Families.TinyVideoNets;

/// <summary>
/// TVN-1…4 as found by the architecture search (google-research tiny_video_nets/found_tvns.py; facts, also in
/// tools/zoo/tvn_specs.json): per block filters, spatial op k/s, temporal op k/s, repeats, expand, squeeze, skip, context gate
/// (non-local is 0 in all four). Classes default to Kinetics-400's 400; the paper also trains on Moments in Time (339) and Charades.
/// </summary>
public static class TvnSpecs
{
    public static readonly IReadOnlyList<string> Names = ["tvn1", "tvn2", "tvn3", "tvn4"];

    /// <summary>Trainable parameters at 400 classes by the analytic count of tools/zoo/tvn_count.py (the paper's table was not retrieved).</summary>
    public static readonly IReadOnlyDictionary<string, long> AnalyticParameters = new Dictionary<string, long>
    {
        ["tvn1"] = 26_539_710, ["tvn2"] = 109_565_916, ["tvn3"] = 67_865_442, ["tvn4"] = 43_793_994,
    };

    public static TvnConfig Get(string name) => name switch
    {
        "tvn1" => new TvnConfig
        {
            Name = name, NumClasses = 400, Frames = 2, FrameStride = 4, ImageSize = 224,
            Blocks =
            [
                new(64, TvnSpatialOp.Standard, 4, 2, TvnTemporalOp.MaxPool, 2, 2, 2, 4, 0.0, false, true),
                new(128, TvnSpatialOp.MaxPool, 3, 2, TvnTemporalOp.Conv1d, 1, 1, 1, 4, 0.9067600752736579, false, false),
                new(128, TvnSpatialOp.Depthwise, 5, 3, TvnTemporalOp.AveragePool, 1, 1, 2, 4, 0.0, true, true),
                new(256, TvnSpatialOp.Standard, 3, 2, TvnTemporalOp.AveragePool, 1, 1, 2, 8, 0.7265534208526172, false, true),
            ],
        },
        "tvn2" => new TvnConfig
        {
            Name = name, NumClasses = 400, Frames = 2, FrameStride = 7, ImageSize = 256,
            Blocks =
            [
                new(64, TvnSpatialOp.Depthwise, 5, 3, TvnTemporalOp.Conv1d, 2, 1, 3, 4, 0.06667482492426025, true, true),
                new(128, TvnSpatialOp.Standard, 4, 2, TvnTemporalOp.MaxPool, 2, 2, 5, 4, 0.693452618624749, true, true),
                new(1024, TvnSpatialOp.Depthwise, 4, 1, TvnTemporalOp.Conv1d, 1, 1, 6, 1, 0.0, false, false),
                new(256, TvnSpatialOp.AveragePool, 3, 2, TvnTemporalOp.Conv1d, 1, 1, 1, 4, 0.0, false, true),
                new(512, TvnSpatialOp.AveragePool, 4, 3, TvnTemporalOp.Conv1d, 1, 1, 6, 4, 0.9472192794783585, false, false),
                new(512, TvnSpatialOp.Depthwise, 3, 3, TvnTemporalOp.MaxPool, 1, 1, 4, 4, 0.0, false, false),
                new(348, TvnSpatialOp.MaxPool, 2, 1, TvnTemporalOp.MaxPool, 1, 1, 1, 6, 0.0, false, true),
            ],
        },
        "tvn3" => new TvnConfig
        {
            Name = name, NumClasses = 400, Frames = 8, FrameStride = 2, ImageSize = 160,
            Blocks =
            [
                new(64, TvnSpatialOp.Depthwise, 3, 2, TvnTemporalOp.Conv1d, 5, 2, 2, 3, 0.6457257964198263, false, true),
                new(256, TvnSpatialOp.Depthwise, 3, 2, TvnTemporalOp.Conv1d, 1, 1, 4, 5, 0.9061418818635367, true, false),
                new(256, TvnSpatialOp.Depthwise, 5, 4, TvnTemporalOp.MaxPool, 3, 2, 4, 2, 0.0, true, false),
                new(512, TvnSpatialOp.Standard, 3, 2, TvnTemporalOp.MaxPool, 3, 3, 4, 5, 0.0, false, true),
            ],
        },
        "tvn4" => new TvnConfig
        {
            Name = name, NumClasses = 400, Frames = 8, FrameStride = 4, ImageSize = 128,
            Blocks =
            [
                new(64, TvnSpatialOp.Standard, 5, 2, TvnTemporalOp.Conv1d, 3, 2, 5, 4, 0.4775900391242449, true, false),
                new(256, TvnSpatialOp.Depthwise, 5, 2, TvnTemporalOp.MaxPool, 2, 2, 4, 6, 0.0, false, true),
                new(256, TvnSpatialOp.Depthwise, 5, 3, TvnTemporalOp.Conv1d, 1, 1, 4, 8, 0.25309102981899967, false, true),
            ],
        },
        _ => throw new ArgumentException($"Unknown Tiny Video Network '{name}' (known: {string.Join(", ", Names)})."),
    };
}
