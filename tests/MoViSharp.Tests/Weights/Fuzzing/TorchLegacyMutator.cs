using System.Buffers.Binary;
using MoViSharp.Weights.Formats;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Legacy torch.save streams: the pickles mutated in place, storage element counts inflated, the stream cut inside a pickle or a
/// storage, and bytes spliced between files.
/// </summary>
internal sealed class TorchLegacyMutator : IInputMutator
{
    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        int picklesEnd = PicklesEnd(seed);
        switch (m.Next(5))
        {
            case 0:
            case 1:
            {
                var bytes = seed;
                for (int k = 1 + m.Next(2); k > 0; k--) bytes = PickleMutator.Mutate(bytes, 0, Math.Min(picklesEnd, bytes.Length), m, others);
                return bytes;
            }
            case 2:
            {
                // The first storage's int64 element count follows the pickles.
                var bytes = (byte[])seed.Clone();
                if (picklesEnd + 8 <= bytes.Length)
                    BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(picklesEnd), m.Chance(50) ? m.Interesting(bytes.Length)
                        : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(picklesEnd)) + m.Next(3) - 1);
                return bytes;
            }
            case 3:
                return seed[..m.Next(seed.Length)];
            default:
                return m.Bytes(seed, others);
        }
    }

    private readonly Dictionary<byte[], int> picklesEnds = new(ReferenceEqualityComparer.Instance);

    /// <summary>Where the storage records of a (valid) seed start: after its magic and four pickles.</summary>
    private int PicklesEnd(byte[] seed)
    {
        lock (picklesEnds)
        {
            if (picklesEnds.TryGetValue(seed, out int known)) return known;
            var limits = TorchCheckpointLimits.Default;
            int at = TorchLegacyCheckpoint.MatchMagic(seed);
            foreach (IPickleHost host in (IPickleHost[])[new PlainPickleHost("seed", "p"), new PlainPickleHost("seed", "p"),
                         new TorchPickleHost("seed", "p", limits, TorchPersistentIds.Legacy), new PlainPickleHost("seed", "p")])
            {
                var unpickler = new RestrictedUnpickler(seed, "seed", "p", host, limits, at);
                unpickler.Load();
                at = unpickler.Position;
            }
            picklesEnds[seed] = at;
            return at;
        }
    }
}
