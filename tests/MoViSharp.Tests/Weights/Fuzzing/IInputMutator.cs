namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>Turns a valid seed file into a damaged variant that knows the format's structure (headers, pickles, tables).</summary>
internal interface IInputMutator
{
    byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others);
}
