namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// Push traffic (<see cref="PushScript"/>): fragments split, joined, dropped, repeated and reordered, given another type or end
/// flag, a byte more or less, and the generic byte mutations (which also damage the records' own lengths).
/// </summary>
internal sealed class PushScriptMutator : IInputMutator
{
    public byte[] Mutate(byte[] seed, Mutation m, IReadOnlyList<byte[]> others)
    {
        if (m.Chance(25)) return m.Bytes(seed, others);
        var script = PushScript.Decode(seed);
        if (script.Count == 0) return m.Bytes(seed, others);
        int i = m.Next(script.Count);
        var (type, end, payload) = script[i];
        switch (m.Next(7))
        {
            case 0:
            {
                int at = m.Next(payload.Length + 1);
                script[i] = (type, false, payload[..at]);
                script.Insert(i + 1, (m.Chance(80) ? type : PushScript.Text, end, payload[at..]));
                break;
            }
            case 1 when i + 1 < script.Count:
                script[i] = (script[i + 1].Type, script[i + 1].End, [.. payload, .. script[i + 1].Payload]);
                script.RemoveAt(i + 1);
                break;
            case 2:
                script.RemoveAt(i);
                break;
            case 3:
                script.Insert(m.Next(script.Count + 1), script[i]);
                break;
            case 4:
                script[i] = ((System.Net.WebSockets.WebSocketMessageType)m.Next(3), m.Chance(50), payload);
                break;
            case 5:
                script[i] = (type, end, m.Chance(50) ? [.. payload, (byte)m.Next(256)] : payload.Length > 0 ? payload[..^1] : payload);
                break;
            default:
            {
                int j = m.Next(script.Count);
                (script[i], script[j]) = (script[j], script[i]);
                break;
            }
        }
        return PushScript.Encode(script);
    }
}
