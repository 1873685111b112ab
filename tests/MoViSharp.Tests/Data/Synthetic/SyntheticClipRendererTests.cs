using System.Runtime.InteropServices;
using MoViSharp.Data.Synthetic;

namespace MoViSharp.Tests.Data.Synthetic;

public class SyntheticClipRendererTests
{
    private const long Seed = 20240611;

    private static byte[] Bytes(SyntheticClip clip) => MemoryMarshal.AsBytes(clip.Data.AsSpan()).ToArray();

    public static TheoryData<int> AllClasses()
    {
        var data = new TheoryData<int>();
        foreach (var c in SyntheticActionClasses.All)
            data.Add(c.Index);
        return data;
    }

    public static TheoryData<int> ForwardTemporalClasses()
    {
        var data = new TheoryData<int>();
        foreach (var c in SyntheticActionClasses.All.Where(c => c.IsTemporalOrder && !c.PlayedBackwards))
            data.Add(c.Index);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllClasses))]
    public void Synthetic_Render_ShapeAndRange(int classIndex)
    {
        var clip = SyntheticClipRenderer.Render(classIndex, Seed, 3);
        Assert.Equal([16L, 64L, 64L, 3L], clip.Shape);
        Assert.Equal(16 * 64 * 64 * 3, clip.Data.Length);
        Assert.All(clip.Data, v => Assert.True(v is >= 0f and <= 1f, $"value {v} outside [0, 1]"));
    }

    [Fact]
    public void Synthetic_Render_ConfigurableFramesAndSize()
    {
        var clip = SyntheticClipRenderer.Render(1, Seed, 0, frames: 5, size: 24);
        Assert.Equal([5L, 24L, 24L, 3L], clip.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticClipRenderer.Render(1, Seed, 0, frames: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticClipRenderer.Render(SyntheticActionClasses.Count, Seed, 0));
    }

    [Fact]
    public void Synthetic_Render_SameInputsGiveIdenticalBytes()
    {
        foreach (var c in SyntheticActionClasses.All)
            Assert.Equal(Bytes(SyntheticClipRenderer.Render(c.Index, Seed, 7)), Bytes(SyntheticClipRenderer.Render(c.Index, Seed, 7)));
    }

    [Fact]
    public void Synthetic_Render_IndependentOfThreadAndOrder()
    {
        var jobs = SyntheticActionClasses.All.SelectMany(c => Enumerable.Range(0, 3).Select(i => (c.Index, i))).ToArray();
        var sequential = jobs.Select(j => Bytes(SyntheticClipRenderer.Render(j.Index, Seed, j.i, 8, 32))).ToArray();
        var parallel = new byte[jobs.Length][];
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
        {
            int j = jobs.Length - 1 - k; // reverse order on purpose
            parallel[j] = Bytes(SyntheticClipRenderer.Render(jobs[j].Index, Seed, jobs[j].i, 8, 32));
        });
        for (int j = 0; j < jobs.Length; j++)
            Assert.Equal(sequential[j], parallel[j]);
    }

    [Fact]
    public void Synthetic_Render_PinnedValues()
    {
        // Guards against accidental changes to the generator, hash or renderer: the benchmark must stay the same benchmark.
        var clip = SyntheticClipRenderer.Render(1, 42, 0, 4, 16);
        Assert.Equal(SplitMix64.Hash(1, 2, 3), SplitMix64.Hash(1, 2, 3));
        Assert.NotEqual(SplitMix64.Hash(1, 2, 3), SplitMix64.Hash(3, 2, 1));
        Assert.Equal(0xE220A8397B1DCDAFUL, new SplitMix64(0).NextUInt64()); // the published SplitMix64 output for state 0
        Assert.Equal(ExpectedChecksum, Checksum(clip));
    }

    // FNV-1a over the clip's bytes, recorded on linux-x64 when the benchmark was defined. The renderer uses Math.Sin,
    // Cos and Exp, which come from the platform's C library: a failure on another OS or CPU alone may be a last-bit
    // difference there rather than a change of the benchmark.
    private const ulong ExpectedChecksum = 15778891666961624438UL;

    private static ulong Checksum(SyntheticClip clip)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in Bytes(clip))
            h = (h ^ b) * 0x100000001B3UL;
        return h;
    }

    [Fact]
    public void Synthetic_Render_DifferentSeedIndexOrClassGiveDifferentClips()
    {
        var reference = Bytes(SyntheticClipRenderer.Render(12, Seed, 0));
        Assert.NotEqual(reference, Bytes(SyntheticClipRenderer.Render(12, Seed + 1, 0)));
        Assert.NotEqual(reference, Bytes(SyntheticClipRenderer.Render(12, Seed, 1)));
        Assert.NotEqual(reference, Bytes(SyntheticClipRenderer.Render(13, Seed, 0)));
    }

    [Theory]
    [MemberData(nameof(ForwardTemporalClasses))]
    public void Synthetic_Render_ReversedClassIsExactTimeReversal(int forwardIndex)
    {
        var forwardClass = SyntheticActionClasses.Get(forwardIndex);
        for (int index = 0; index < 4; index++)
        {
            var forward = SyntheticClipRenderer.Render(forwardIndex, Seed, index);
            var backward = SyntheticClipRenderer.Render(forwardClass.ReverseIndex!.Value, Seed, index);
            for (int f = 0; f < forward.Frames; f++)
                Assert.True(forward.Frame(f).SequenceEqual(backward.Frame(forward.Frames - 1 - f)), $"{forwardClass.Name} clip {index} frame {f}");
        }
    }

    [Theory]
    [MemberData(nameof(ForwardTemporalClasses))]
    public void Synthetic_Render_OrderlessStatisticsCannotSeparateAPair(int forwardIndex)
    {
        var forward = SyntheticClipRenderer.Render(forwardIndex, Seed, 5);
        var backward = SyntheticClipRenderer.Render(SyntheticActionClasses.Get(forwardIndex).ReverseIndex!.Value, Seed, 5);

        // The multiset of frames is identical...
        static string[] SortedFrames(SyntheticClip clip) =>
            Enumerable.Range(0, clip.Frames).Select(f => Convert.ToBase64String(MemoryMarshal.AsBytes(clip.Frame(f)))).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(SortedFrames(forward), SortedFrames(backward));

        // ...so the temporal mean image is too (up to summation order), while the clips themselves differ.
        double[] Mean(SyntheticClip clip)
        {
            var mean = new double[clip.FrameLength];
            for (int f = 0; f < clip.Frames; f++)
            {
                var frame = clip.Frame(f);
                for (int i = 0; i < mean.Length; i++)
                    mean[i] += frame[i] / (double)clip.Frames;
            }
            return mean;
        }
        var a = Mean(forward);
        var b = Mean(backward);
        Assert.All(Enumerable.Range(0, a.Length), i => Assert.Equal(a[i], b[i], 1e-12));
        Assert.NotEqual(Bytes(forward), Bytes(backward));
    }

    [Theory]
    [MemberData(nameof(AllClasses))]
    public void Synthetic_Scene_ObjectMovesOrChangesAsTheClassSays(int classIndex)
    {
        var actionClass = SyntheticActionClasses.Get(classIndex);
        for (int index = 0; index < 20; index++)
        {
            var scene = SyntheticClipRenderer.SampleScene(classIndex, Seed, index);
            var poses = Enumerable.Range(0, 16).Select(f => scene.Trajectory.At(f / 15.0, f)).ToArray();
            ObjectPose first = poses[0], last = poses[^1];
            double travel = Math.Sqrt(Math.Pow(last.X - first.X, 2) + Math.Pow(last.Y - first.Y, 2));
            double maxTravel = poses.Max(p => Math.Sqrt(Math.Pow(p.X - first.X, 2) + Math.Pow(p.Y - first.Y, 2)));
            switch (actionClass.Motion)
            {
                case SyntheticMotion.MoveRight: Assert.True(last.X - first.X >= 0.25 && last.Y == first.Y); break;
                case SyntheticMotion.MoveDown: Assert.True(last.Y - first.Y >= 0.25 && last.X == first.X); break;
                case SyntheticMotion.Grow: Assert.True(first.Scale <= 0.55 && last.Scale == 1 && travel == 0); break;
                case SyntheticMotion.RotateClockwise: Assert.True(last.Angle - first.Angle >= Math.PI / 2 - 1e-9 && scene.Shape != SyntheticShape.Disc); break;
                case SyntheticMotion.Appear: Assert.True(first.Opacity == 0 && last.Opacity == 1); break;
                case SyntheticMotion.Static: Assert.All(poses, p => Assert.Equal(first, p)); break;
                case SyntheticMotion.Blink: Assert.True(poses.Any(p => p.Opacity == 0) && poses.Any(p => p.Opacity == 1)); break;
                case SyntheticMotion.Bounce or SyntheticMotion.Orbit or SyntheticMotion.Zigzag: Assert.True(maxTravel >= 0.15, $"travel {maxTravel}"); break;
                default: throw new InvalidOperationException(actionClass.Motion.ToString());
            }
            // The object stays inside the frame and contrasts with the background.
            Assert.All(poses, p => Assert.True(p.X - scene.Radius >= 0 && p.X + scene.Radius <= 1 && p.Y - scene.Radius >= 0 && p.Y + scene.Radius <= 1));
            Assert.True(scene.ObjectColour.DistanceToSegment(scene.Background.First, scene.Background.Second) >= SyntheticScene.TargetContrast);
        }
    }

    [Theory]
    [InlineData("move_right")]
    [InlineData("move_down")]
    [InlineData("appear")]
    public void Synthetic_Render_ObjectArrivesWhereTheFirstFrameShowsBackground(string name)
    {
        var actionClass = SyntheticActionClasses.Get(name);
        for (int index = 0; index < 5; index++)
        {
            var clip = SyntheticClipRenderer.Render(actionClass.Index, Seed, index);
            var scene = SyntheticClipRenderer.SampleScene(actionClass.Index, Seed, index);
            // At the object's final centre the first frame shows background (the object is elsewhere or invisible);
            // the colour difference (at least 0.4) is far above pixel noise and brightness jitter (at most 0.1).
            var pose = scene.Trajectory.At(1, clip.Frames - 1);
            int at = ((int)(pose.Y * clip.Height) * clip.Width + (int)(pose.X * clip.Width)) * 3;
            double change = Enumerable.Range(0, 3).Max(ch => Math.Abs(clip.Frame(0)[at + ch] - clip.Frame(clip.Frames - 1)[at + ch]));
            Assert.True(change > 0.15, $"{name} clip {index}: change at the object's final centre is only {change}");
        }
    }
}
