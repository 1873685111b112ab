using System.Text.Json;
using MoViSharp.Server.Streams;

namespace MoViSharp.Server.Web;

/// <summary>
/// The body of POST /streams turned into a checked <see cref="StreamSpec"/>: for any bytes it returns a valid spec or throws
/// <see cref="BadRequestException"/> saying what is wrong (kept out of the endpoint so the fuzz tests can hold it to that).
/// </summary>
internal static class StreamSpecBody
{
    /// <summary>The JSON options of the HTTP API's bodies: web defaults (camelCase, case-insensitive), enums as camelCase names.</summary>
    private static readonly JsonSerializerOptions Options = new(StreamServer.Json) { MaxDepth = 16 };

    public static StreamSpec Decode(ReadOnlySpan<byte> body)
    {
        StreamSpec? spec;
        try { spec = body.IsEmpty ? null : JsonSerializer.Deserialize<StreamSpec>(body, Options); }
        // JsonSerializer reports a number out of its field's range, a bad enum name and broken JSON alike as JsonException.
        catch (JsonException e) { throw new BadRequestException($"Malformed JSON: {e.Message}"); }
        if (spec is null) throw new BadRequestException("POST /streams needs a JSON body, e.g. {\"kind\":\"synthetic\"}.");
        spec.Validate();
        return spec;
    }
}
