using System.Threading.Channels;
using MoViSharp.Data.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace MoViSharp.Data;

/// <summary>
/// Batches of a <see cref="ClipDataset"/>. A background thread decodes, samples and crops the clips of the coming batches into a
/// bounded queue (<see cref="ClipLoaderOptions.PrefetchBatches"/>), so decoding runs on another core while the model trains; the
/// consumer only wraps finished arrays in tensors. Everything random (order, start frame, crop) is a function of
/// (seed, epoch, sample), so an epoch's batches are identical across runs, resumes and thread timing.
/// </summary>
public sealed class ClipLoader
{
    private readonly ClipCache? cache;

    public ClipDataset Dataset { get; }
    public ClipLoaderOptions Options { get; }

    public ClipLoader(ClipDataset dataset, ClipLoaderOptions options)
    {
        options.Validate();
        Dataset = dataset;
        Options = options;
        cache = options.Cache ? new ClipCache(options.CacheBytes) : null;
    }

    public int BatchesPerEpoch => Options.DropLast ? Dataset.Count / Options.BatchSize : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The sample order of <paramref name="epoch"/> (a seeded Fisher–Yates shuffle when training).</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (!Options.Train) return order;
        var random = new SplitMix64(SplitMix64.Hash((ulong)Options.Seed, 0x5EED, (ulong)epoch));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch, decoded ahead on a background thread. Dispose each batch (or use a dispose scope).</summary>
    public IEnumerable<ClipBatch> Epoch(int epoch, CancellationToken cancellationToken = default)
    {
        var order = Order(epoch);
        var channel = Channel.CreateBounded<(float[] Pixels, long[] Labels, int[] Indices)>(
            new BoundedChannelOptions(Options.PrefetchBatches) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = new Thread(() =>
        {
            try
            {
                for (int b = 0; b < BatchesPerEpoch; b++)
                {
                    var indices = order.Skip(b * Options.BatchSize).Take(Options.BatchSize).ToArray();
                    var item = Build(indices, epoch);
                    if (!channel.Writer.WaitToWriteAsync(stop.Token).AsTask().GetAwaiter().GetResult()) return;
                    channel.Writer.TryWrite(item);
                }
                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException) { channel.Writer.TryComplete(); }
            catch (Exception e) { channel.Writer.TryComplete(e); }
        }) { IsBackground = true, Name = "clip loader" };
        producer.Start();
        try
        {
            var reader = channel.Reader;
            while (reader.WaitToReadAsync(stop.Token).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var item))
                {
                    int views = Options.Views, frames = Options.Sampling.Frames, size = Options.Size;
                    yield return new ClipBatch(
                        torch.tensor(item.Pixels, [item.Indices.Length * views, 3, frames, size, size]),
                        torch.tensor(item.Labels, [item.Labels.Length]), item.Indices, views);
                }
            }
        }
        finally
        {
            stop.Cancel();
            producer.Join();
        }
    }

    /// <summary>Decodes, samples and crops the clips <paramref name="indices"/>: [B·V, 3, T, S, S] floats and the labels.</summary>
    public (float[] Pixels, long[] Labels, int[] Indices) Build(int[] indices, int epoch)
    {
        int views = Options.Views, per = 3 * Options.Sampling.Frames * Options.Size * Options.Size;
        var pixels = new float[indices.Length * views * per];
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            var sample = Dataset.Samples[indices[i]];
            labels[i] = sample.Label;
            var clip = Decode(indices[i]);
            for (int v = 0; v < views; v++)
                Sample(clip, indices[i], epoch, v, pixels.AsSpan((i * views + v) * per, per));
        }
        return (pixels, labels, indices);
    }

    /// <summary>One view of a decoded clip, [3, T, S, S], from the random stream of (seed, epoch, sample).</summary>
    public void Sample(DecodedClip clip, int sampleIndex, int epoch, int view, Span<float> output)
    {
        var random = new SplitMix64(SplitMix64.Hash((ulong)Options.Seed, (ulong)epoch, (ulong)sampleIndex, (ulong)view));
        var frames = Options.Sampling.Indices(clip.Frames, ref random, Options.Train, view, Options.Views);
        var box = Options.Train ? Options.Augmentation.RandomBox(clip.Height, clip.Width, ref random)
            : ExactDecode && !Dataset.Samples[sampleIndex].IsNpy ? ClipAugmentation.WholeFrame(clip.Height, clip.Width)
            : Options.Augmentation.EvalBox(clip.Height, clip.Width);
        ClipAugmentation.CropResize(clip, frames, box, Options.Size, output);
    }

    /// <summary>Evaluation with the model's own preprocessing: frames come decoded at the model's size, already cropped.</summary>
    private bool ExactDecode => !Options.Train && Options.Preprocessing is not null;

    private DecodedClip Decode(int index)
    {
        var sample = Dataset.Samples[index];
        DecodedClip Read() => ExactDecode
            ? ClipReader.Read(sample, Video.VideoSourceOptions.For(Options.Preprocessing!) with { Width = Options.Size, Height = Options.Size, Fps = Options.Sampling.Fps })
            : ClipReader.Read(sample, Options.DecodeSize, Options.Sampling.Fps);
        return cache is null ? Read() : cache.GetOrAdd(index, Read);
    }
}
