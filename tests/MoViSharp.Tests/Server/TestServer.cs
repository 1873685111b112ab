using System.Net.Http.Json;
using System.Text.Json;
using MoViSharp.Cli;
using MoViSharp.Inference;
using MoViSharp.Server;

namespace MoViSharp.Tests.Server;

/// <summary>A server on a free loopback port with the embedded demo model and its own event-log file; disposed at the end of a test.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string Key = "test-key";

    public StreamServer Server { get; }
    public HttpClient Http { get; }
    public string Folder { get; }

    private TestServer(StreamServer server, string folder)
    {
        Server = server;
        Folder = folder;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public static ModelCatalog DemoCatalog() => new ModelCatalog().Add("demo", ModelCompiler.Classifier(DemoModel.Load(null)));

    public static async Task<TestServer> StartAsync(string? folder = null, Func<ServerOptions, ServerOptions>? adjust = null)
    {
        folder ??= Directory.CreateTempSubdirectory("movisharp-server-").FullName;
        var options = new ServerOptions { Port = 0, ApiKey = Key, EventLogPath = Path.Combine(folder, "events.db"), LabelHold = 1 };
        if (adjust is not null) options = adjust(options);
        return new TestServer(await StreamServer.StartAsync(DemoCatalog(), options), folder);
    }

    public async Task<JsonElement> PostStreamAsync(object spec, int expectedStatus = 201)
    {
        var response = await Http.PostAsJsonAsync("/streams", spec);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"POST /streams {JsonSerializer.Serialize(spec)}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public async Task<JsonElement> GetJsonAsync(string path) => JsonDocument.Parse(await Http.GetStringAsync(path)).RootElement;

    /// <summary>Polls until <paramref name="done"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitUntilAsync(Func<bool> done, string what, double seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < until, $"Timed out after {seconds} s waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Server.Models.Dispose();
    }
}
