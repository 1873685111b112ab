namespace MoViSharp.Tests.Search;

/// <summary>
/// Tests that reproduce a run bit for bit from torch.manual_seed: libtorch's default generator is one per process, so two such
/// tests running in parallel would draw from each other's sequence, and so would any other test using it. Classes in this
/// collection run one at a time, after every parallel test has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededTorchCollection
{
    public const string Name = "Seeded torch RNG";
}
