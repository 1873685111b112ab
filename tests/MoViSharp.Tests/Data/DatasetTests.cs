using MoViSharp.Data;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Tests.Data;

public sealed class DatasetTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("movisharp-data-").FullName;

    public void Dispose() => Directory.Delete(root, true);

    private string Clip(string relative, int frames = 4, int size = 6)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var data = Enumerable.Range(0, frames * size * size * 3).Select(i => (i % 97) / 97f).ToArray();
        NpyFile.Write(path, data, [frames, size, size, 3]);
        return path;
    }

    [Fact]
    public void FolderClassesAreSortedFolderNamesOrLabelsTxtOrder()
    {
        Clip("set/walk/b.npy"); Clip("set/walk/a.npy"); Clip("set/jump/x.npy");
        File.WriteAllText(Path.Combine(root, "set", "walk", "notes.txt"), "ignored");
        var data = ClipDataset.Open(Path.Combine(root, "set"));
        Assert.Equal(["jump", "walk"], data.Classes);
        Assert.Equal([0, 1, 1], data.Samples.Select(s => s.Label));
        Assert.EndsWith("a.npy", data.Samples[1].Path);

        File.WriteAllText(Path.Combine(root, "set", "labels.txt"), "walk\njump\n");
        Assert.Equal(["walk", "jump"], ClipDataset.Open(Path.Combine(root, "set")).Classes);

        Clip("set/run/y.npy");
        var e = Assert.Throws<InvalidDataException>(() => ClipDataset.Open(Path.Combine(root, "set")));
        Assert.Contains("'run'", e.Message);
    }

    [Fact]
    public void CsvListsResolvePathsRelativeToTheFileAndReadTimeRanges()
    {
        Clip("clips/a.npy"); Clip("clips/b.npy");
        File.WriteAllBytes(Path.Combine(root, "clips", "v.mp4"), [0]);
        string csv = Path.Combine(root, "list.csv");
        File.WriteAllText(csv, "path,label\nclips/a.npy,walk\n# comment\nclips/b.npy,jump\nclips/v.mp4,walk,1.5,3\n");
        var data = ClipDataset.Open(csv);
        Assert.Equal(["jump", "walk"], data.Classes);
        Assert.Equal([1, 0, 1], data.Samples.Select(s => s.Label));
        Assert.Equal(1.5, data.Samples[2].StartSeconds);
        Assert.Equal(3, data.Samples[2].EndSeconds);
        Assert.Equal(Path.Combine(root, "clips", "a.npy"), data.Samples[0].Path);
    }

    [Theory]
    [InlineData("clips/a.npy", "expected 'path,label'")]
    [InlineData("clips/a.npy,walk,x,2", "start_s must be")]
    [InlineData("clips/missing.npy,walk", "not found")]
    [InlineData("clips/a.npy,walk,1,2", "time range needs a video")]
    [InlineData("clips/v.mp4,walk,3,2", "must be greater")]
    public void BadCsvRowsNameTheFileAndLine(string badRow, string expected)
    {
        Clip("clips/a.npy");
        File.WriteAllBytes(Path.Combine(root, "clips", "v.mp4"), [0]);
        string csv = Path.Combine(root, "bad.csv");
        File.WriteAllText(csv, $"clips/a.npy,walk\n\n{badRow}\n");
        var e = Assert.ThrowsAny<Exception>(() => ClipDataset.Open(csv));
        Assert.Contains($"{csv}:3", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ClipsOfTheWrongShapeNameTheFile()
    {
        string path = Path.Combine(root, "x", "c", "bad.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NpyFile.Write(path, new float[24], [2, 4, 3]);
        var e = Assert.Throws<InvalidDataException>(() => ClipReader.Read(new ClipSample(path, 0), 8));
        Assert.Contains("bad.npy", e.Message);
        Assert.Contains("[T, H, W, 3], got [2, 4, 3]", e.Message);
    }

    [Fact]
    public void LoaderBatchesHaveModelLayoutAndAugmentationIsDeterministicBySeed()
    {
        for (int i = 0; i < 5; i++) Clip($"set/{(i % 2 == 0 ? "a" : "b")}/{i}.npy", frames: 10, size: 12);
        var data = ClipDataset.Open(Path.Combine(root, "set"));
        ClipLoaderOptions Options(long seed) => new()
        {
            Sampling = new FrameSampling(4, Stride: 2), Size = 8, BatchSize = 2, Train = true, Seed = seed, Augmentation = new ClipAugmentation { HorizontalFlip = true },
        };
        var loader = new ClipLoader(data, Options(1));
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal(new long[] { 2, 3, 4, 8, 8 }, batches[0].Clips.shape);
        Assert.Equal(new long[] { 1, 3, 4, 8, 8 }, batches[2].Clips.shape);
        Assert.Equal(5, batches.SelectMany(b => b.SampleIndices).Distinct().Count());

        var again = new ClipLoader(data, Options(1)).Epoch(0).ToList();
        for (int i = 0; i < 3; i++) Assert.Equal(0, TestModels.MaxAbsDiff(batches[i].Clips, again[i].Clips));
        var other = new ClipLoader(data, Options(2)).Build([0, 1], 0).Pixels;
        Assert.NotEqual(loader.Build([0, 1], 0).Pixels, other);
        Assert.All(other, v => Assert.InRange(v, 0f, 1f));
        foreach (var b in batches.Concat(again)) b.Dispose();
    }

    [Fact]
    public void FrameSamplingCentresPadsAndSpreadsViews()
    {
        var random = new MoViSharp.Data.Synthetic.SplitMix64(1);
        var s = new FrameSampling(3, Stride: 2);
        Assert.Equal([2, 4, 6], s.Indices(9, ref random, randomStart: false));
        Assert.Equal([0, 2, 2], s.Indices(3, ref random, randomStart: false));            // short clip repeats its last frame
        Assert.Equal([0, 2, 4], s.Indices(9, ref random, randomStart: false, view: 0, views: 3));
        Assert.Equal([4, 6, 8], s.Indices(9, ref random, randomStart: false, view: 2, views: 3));
        Assert.Equal([1, 3, 5], (s with { Offset = 1 }).Indices(6, ref random, randomStart: false));
    }

    [Fact]
    public void CentreCropOfTheWholeFrameAtTheSameSizeIsTheIdentity()
    {
        var pixels = Enumerable.Range(0, 2 * 4 * 4 * 3).Select(i => (float)i).ToArray();
        var clip = new DecodedClip(pixels, 2, 4, 4);
        var output = new float[3 * 2 * 16];
        ClipAugmentation.CropResize(clip, [0, 1], new ClipAugmentation().EvalBox(4, 4), 4, output);
        // [3, T, H, W] from [T, H, W, 3]
        Assert.Equal(pixels[(1 * 16 + 2 * 4 + 3) * 3 + 1], output[1 * 32 + 1 * 16 + 2 * 4 + 3]);
    }
}
