using Microsoft.Playwright;

namespace MoViSharp.Tests.Server;

/// <summary>The page in a real headless Chromium (Debian's package, driven by Playwright): it must show live streams and change them.</summary>
[Collection(ServerCollection.Name)]
public class ServerPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Where the run leaves its screenshot (next to the test assembly).</summary>
    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "server-page.png");

    [Fact]
    public async Task Page_InChromium_ShowsLiveStreams_AddsAndRemovesOne()
    {
        Assert.True(File.Exists(Chromium),
            $"The page test needs Debian's chromium at {Chromium}; ./test.sh installs it (apt-get install chromium). It is not skipped: without it the page is untested.");
        await using var t = await TestServer.StartAsync(adjust: o => o with { DemoStreams = 1 });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 720 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(t.Server.Address.ToString());
        await page.FillAsync("#api-key", TestServer.Key);

        // The synthetic stream appears and its predictions update.
        var demo = page.Locator("[data-stream-id='demo-1']");
        await demo.Locator(".bars li").First.WaitForAsync();
        Assert.Equal(3, await demo.Locator(".bars li").CountAsync());
        string first = await demo.Locator(".frame").InnerTextAsync();
        await page.WaitForFunctionAsync("f => document.querySelector(\"[data-stream-id='demo-1'] .frame\").textContent !== f", first);
        await page.WaitForFunctionAsync("() => document.querySelector(\"[data-stream-id='demo-1'] .thumb\").naturalWidth === 64");

        // Adding a stream through the form makes a live tile.
        await page.SelectOptionAsync("select[name=kind]", "synthetic");
        await page.FillAsync("input[name=id]", "added-1");
        await page.FillAsync("input[name=fps]", "30");
        await page.ClickAsync("#add-button");
        var added = page.Locator("[data-stream-id='added-1']");
        await added.Locator(".bars li").First.WaitForAsync();
        Assert.Equal("running", t.Server.Streams.Get("added-1").Status.ToString().ToLowerInvariant());
        await page.ScreenshotAsync(new() { Path = ScreenshotPath, FullPage = true });

        // Removing it takes it off the page and the server.
        await added.Locator(".remove").ClickAsync();
        await added.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.DoesNotContain(t.Server.Streams.All, s => s.Id == "added-1");
        Assert.Equal(1, await page.Locator(".tile").CountAsync());
        Assert.Empty(errors);
        Assert.True(new FileInfo(ScreenshotPath).Length > 1000);
    }
}
