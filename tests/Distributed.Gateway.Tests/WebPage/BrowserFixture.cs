using Microsoft.Playwright;

namespace Distributed.Gateway.Tests.WebPage;

/// <summary>
/// Debian's chromium driven by Playwright (browsers cannot be downloaded here: <c>apt-get install chromium</c>, which
/// .ci/run does; <c>CHROMIUM_PATH</c> overrides where it is).
/// </summary>
public sealed class BrowserFixture : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private BrowserFixture(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<BrowserFixture> StartAsync()
    {
        var path = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(path))
        {
            Assert.Fail($"No chromium at {path}: apt-get install -y chromium (or set CHROMIUM_PATH).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            // Root in a container has no user namespaces for chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
        return new BrowserFixture(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
