using Microsoft.Playwright;

namespace Distributed.Gateway.Tests.WebPage;

/// <summary>
/// The chat page at <c>/</c> in a real browser against the real gateway, worker and Redis: sign in, create a session,
/// stream an answer (the text grows over several updates before it is done), reload and find the history, switch the
/// model, and a wrong key shows a readable error. Keyboard only, on a phone-sized window.
/// </summary>
[TestFixture]
public sealed class ChatPageTests
{
    private SharedEnvironment _env = null!;
    private GatewayHost _gateway = null!;
    private BrowserFixture _browser = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        // Long answers (the page sends no max_tokens): the tiny model writes 16 tokens faster than one network read.
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Gateway:DefaultMaxTokens"] = "400",
        });
        await _gateway.WaitUntilReadyAsync();
        _browser = await BrowserFixture.StartAsync();
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Test]
    public async Task ChatPage_SignInSessionAndQuery_AnswerStreamsInAndSurvivesAReload()
    {
        await using var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _gateway.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(TestKeys.Alice);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).First.ClickAsync();
        await Assertions.Expect(page.Locator("#model option")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#sign-in-view")).ToBeHiddenAsync();
        await page.Locator("#model").SelectOptionAsync(WorkerProcess.Stories);
        await page.GetByRole(AriaRole.Button, new() { Name = "New session" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New conversation" }).ClickAsync();

        // Records every length the answer's text takes (each delta replaces the text node: every added node is one
        // state of the text, even when several deltas arrive in one network read), so the test sees it grow.
        await page.EvaluateAsync("""
            () => {
              window.lengths = [];
              new MutationObserver((records) => {
                for (const record of records) {
                  if (record.target.classList?.contains('text')) {
                    for (const node of record.addedNodes) window.lengths.push(node.textContent.length);
                  }
                }
              }).observe(document.getElementById('messages'), { subtree: true, childList: true });
            }
            """);
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Once upon a time");
        await page.GetByLabel("Message", new() { Exact = true }).PressAsync("Enter");
        var stats = page.Locator("#messages li.bot .stats");
        await stats.WaitForAsync(new() { Timeout = 60_000 });

        var lengths = await page.EvaluateAsync<int[]>("() => window.lengths.filter(n => n > 0)");
        var answer = await page.Locator("#messages li.bot .text").InnerTextAsync();
        Assert.That(lengths.Distinct().Count(), Is.GreaterThanOrEqualTo(2), "the text grew over several updates before the answer was done");
        Assert.That(answer, Is.Not.Empty);
        Assert.That(await stats.InnerTextAsync(), Does.Match(@"\d+ tokens · [\d.–]+ tokens/s · \d+ of \d+ prompt tokens cached"));

        if (Environment.GetEnvironmentVariable("SCREENSHOT_DIR") is { Length: > 0 } directory)
        {
            // README's picture of the page: SCREENSHOT_DIR=docs dotnet test --filter ChatPage
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "chat-page.png"), FullPage = true });
        }

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#messages li.user")).ToHaveTextAsync("Once upon a time");
        await Assertions.Expect(page.Locator("#messages li.bot .text")).ToHaveTextAsync(answer);

        await page.Locator("#switch-model").SelectOptionAsync(WorkerProcess.TinyRandom);
        await page.GetByRole(AriaRole.Button, new() { Name = "Switch model" }).ClickAsync();
        await Assertions.Expect(page.Locator("#sessions li[aria-current=true]")).ToContainTextAsync(WorkerProcess.TinyRandom);
    }

    [Test]
    public async Task ChatPage_WrongKey_ShowsAReadableError()
    {
        await using var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _gateway.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByLabel("API key", new() { Exact = true }).FillAsync("not-a-valid-key-0123456789");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).First.ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");
        await Assertions.Expect(page.Locator("#sign-in-view")).ToBeVisibleAsync();
    }

    [Test]
    public async Task ChatPage_KeyboardOnlyOnAPhone_SignsInAndSends()
    {
        await using var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _gateway.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 375, Height = 740 },
            IsMobile = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await page.Keyboard.PressAsync("Tab"); // the first control: the API key field
        await page.Keyboard.TypeAsync(TestKeys.Bob);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#chat-view")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#model option")).Not.ToHaveCountAsync(0);
        await page.Locator("#model").FocusAsync();
        await page.Keyboard.PressAsync("Tab"); // system prompt
        await page.Keyboard.PressAsync("Tab"); // New session
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Button, new() { Name = "New conversation" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Message", new() { Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Hello");
        await page.Keyboard.PressAsync("Enter");

        await page.Locator("#messages li.bot .stats").WaitForAsync(new() { Timeout = 60_000 });
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.That(width, Is.LessThanOrEqualTo(375), "nothing wider than the phone's screen");
    }
}
