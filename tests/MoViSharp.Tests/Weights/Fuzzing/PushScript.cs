using System.Buffers.Binary;
using System.Net.WebSockets;

namespace MoViSharp.Tests.Weights.Fuzzing;

/// <summary>
/// A client's WebSocket traffic as bytes the fuzzer can mutate: records of [type and end-of-message flags: 1 byte]
/// [payload length: 2 bytes LE][payload]; a record cut short takes what is left. Also the model of what the receive loop must
/// do with it: every whole binary message of exactly one frame is pushed, until the first close, wrong-size or non-binary message.
/// </summary>
internal static class PushScript
{
    public const WebSocketMessageType Text = WebSocketMessageType.Text, Binary = WebSocketMessageType.Binary, Close = WebSocketMessageType.Close;

    public static byte[] Encode(IEnumerable<(WebSocketMessageType Type, bool End, byte[] Payload)> fragments)
    {
        var output = new MemoryStream();
        var length = new byte[2];
        foreach (var (type, end, payload) in fragments)
        {
            output.WriteByte((byte)((int)type | (end ? 4 : 0)));
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)payload.Length);
            output.Write(length);
            output.Write(payload);
        }
        return output.ToArray();
    }

    public static List<(WebSocketMessageType Type, bool End, byte[] Payload)> Decode(byte[] bytes)
    {
        var fragments = new List<(WebSocketMessageType, bool, byte[])>();
        int at = 0;
        while (at < bytes.Length)
        {
            byte flags = bytes[at++];
            int length = at + 2 <= bytes.Length ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at)) : 0;
            at = Math.Min(at + 2, bytes.Length);
            length = Math.Min(length, bytes.Length - at);
            fragments.Add(((WebSocketMessageType)((flags & 3) % 3), (flags & 4) != 0, bytes[at..(at + length)]));
            at += length;
        }
        return fragments;
    }

    /// <summary>How many frames the receive loop must push for this traffic (it reads each message into a frame + 1 byte buffer).</summary>
    public static int WholeFramesBeforeTheFirstBadMessage(IReadOnlyList<(WebSocketMessageType Type, bool End, byte[] Payload)> script, int frameBytes)
    {
        int frames = 0, length = 0;
        foreach (var (type, end, payload) in script)
        {
            length += payload.Length;
            if (type == Close || length > frameBytes) return frames;   // a close, or a message longer than a frame
            if (!end) continue;
            if (type != Binary || length != frameBytes) return frames;
            frames++;
            length = 0;
        }
        return frames;                                                    // the traffic ends with a close
    }
}
