using System.Net;
using System.Text;

namespace Distributed.Gateway.Tests.Limits;

/// <summary>
/// Size limits: a body over the maximum request size is a 413 ProblemDetails (with or without a Content-Length),
/// queries and prompts over the configured length and <c>max_tokens</c> over the cap are 400s naming the field.
/// </summary>
[TestFixture]
public sealed class RequestSizeTests
{
    private const int MaxBodyBytes = 1 << 20;
    private const int MaxQueryLength = 4000;
    private const int MaxTokensCap = 64;

    private SharedEnvironment _env = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _alice = null!;
    private Guid _session;
    private Guid _conversation;

    public static IEnumerable<TestCaseData> OversizedRequests()
    {
        var big = new string('x', MaxBodyBytes + 1024);
        yield return new TestCaseData("POST", "/llm/sessions", $$"""{"model_name":"stories260K","system_prompt":"{{big}}"}""", true).SetArgDisplayNames("create session");
        yield return new TestCaseData("POST", "/llm/sessions/{s}/conversations/{c}/query", $$"""{"query":"{{big}}"}""", true).SetArgDisplayNames("query");
        yield return new TestCaseData("PATCH", "/llm/sessions/{s}", $$"""{"system_prompt":"{{big}}"}""", true).SetArgDisplayNames("update session");
        yield return new TestCaseData("POST", "/llm/sessions/{s}/switch-model", $$"""{"model_name":"{{big}}"}""", true).SetArgDisplayNames("switch model");
        yield return new TestCaseData("POST", "/prompt", $$"""{"prompt":"{{big}}"}""", true).SetArgDisplayNames("prompt");
        yield return new TestCaseData("POST", "/auth/keys", $$"""{"name":"{{big}}"}""", true).SetArgDisplayNames("create key");
        yield return new TestCaseData("POST", "/user/register", $$"""{"email":"{{big}}@example.com","firstName":"A","lastName":"B","password":"Str0ng!Passw0rd"}""", false).SetArgDisplayNames("register (anonymous)");
        yield return new TestCaseData("POST", "/auth/login", $$"""{"email":"a@example.com","password":"{{big}}"}""", false).SetArgDisplayNames("login (anonymous)");
        yield return new TestCaseData("POST", "/llm/sessions", "[" + string.Concat(Enumerable.Repeat("1,", (MaxBodyBytes / 2) + 512)) + "1]", true).SetArgDisplayNames("array just over 1 MiB");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Kestrel:Limits:MaxRequestBodySize"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:MaxQueryLength"] = MaxQueryLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:MaxTokensCap"] = MaxTokensCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await _gateway.WaitUntilReadyAsync();
        _alice = _gateway.CreateClient(TestKeys.Alice);
        _session = await _alice.CreateSessionAsync();
        _conversation = await _alice.CreateConversationAsync(_session);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _alice.Dispose();
        await _gateway.DisposeAsync();
    }

    [TestCaseSource(nameof(OversizedRequests))]
    public async Task OversizedBody_WithContentLength_Returns413Problem(string method, string template, string body, bool authenticated)
    {
        using var client = _gateway.CreateClient(authenticated ? TestKeys.Alice : null);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        // Expect: 100-continue, as clients sending large bodies do: the gateway refuses before the body is sent (without
        // it, the server answers and closes while the client is still writing, and the client sees a broken pipe).
        var request = new HttpRequestMessage(new HttpMethod(method), Path(template)) { Content = content };
        request.Headers.ExpectContinue = true;

        using var response = await client.SendAsync(request);

        await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await AssertUnchangedAsync();
    }

    [TestCaseSource(nameof(OversizedRequests))]
    public async Task OversizedBody_Chunked_Returns413Problem(string method, string template, string body, bool authenticated)
    {
        using var client = _gateway.CreateClient(authenticated ? TestKeys.Alice : null);
        // A stream of unknown length goes out with Transfer-Encoding: chunked: the limit must hold while reading.
        var content = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), Path(template)) { Content = content });

        await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.That(response.RequestMessage!.Headers.TransferEncodingChunked, Is.True, "sent chunked");
        await AssertUnchangedAsync();
    }

    [Test]
    public async Task BodyJustUnderTheLimit_QueryOverMaxLength_Returns400NamingQuery()
    {
        var query = new string('q', MaxBodyBytes - 1024);

        using var response = await _alice.PostJsonAsync(GatewayApi.QueryPath(_session, _conversation), new { query });

        var problem = await response.ExpectBadRequestAsync("query");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(MaxQueryLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Query_WithinMaxLengthButOverTheModelsContext_Returns400NotA500()
    {
        // 4000 characters are allowed, but they are about 1000 tokens and stories260K holds 512 a sequence: the worker
        // refuses the prompt, which is the client's to fix (400), not a gateway failure.
        var query = string.Concat(Enumerable.Repeat("Once upon a time. ", (MaxQueryLength / 18) + 1))[..MaxQueryLength];
        var conversation = await _alice.CreateConversationAsync(_session);

        using var response = await _alice.PostJsonAsync(GatewayApi.QueryPath(_session, conversation), new { query, max_tokens = 2 });

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("context"));
        Assert.That(await _alice.GetTurnsAsync(_session, conversation), Is.Empty);
        using var prompt = await _alice.PostJsonAsync("/prompt", new { prompt = query, max_tokens = 2 });
        await prompt.ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Prompt_OverMaxLength_Returns400NamingPrompt()
    {
        using var response = await _alice.PostJsonAsync("/prompt", new { prompt = new string('p', MaxQueryLength + 1) });

        await response.ExpectBadRequestAsync("prompt");
    }

    [TestCase(MaxTokensCap + 1)]
    [TestCase(2048)]
    [TestCase(int.MaxValue)]
    public async Task MaxTokens_OverTheCap_Returns400NamingMaxTokens(int maxTokens)
    {
        using var query = await _alice.PostJsonAsync(GatewayApi.QueryPath(_session, _conversation), new { query = "Hi", max_tokens = maxTokens });
        using var prompt = await _alice.PostJsonAsync("/prompt", new { prompt = "Hi", max_tokens = maxTokens });

        var problem = await query.ExpectBadRequestAsync("max_tokens");
        await prompt.ExpectBadRequestAsync("max_tokens");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(MaxTokensCap.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task MaxTokens_AtTheCap_IsAccepted()
    {
        var conversation = await _alice.CreateConversationAsync(_session);

        var events = await _alice.StreamQueryAsync(_session, conversation, new { query = "Once upon a time", max_tokens = MaxTokensCap });

        Assert.That(events.Done().GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.InRange(1, MaxTokensCap));
    }

    private string Path(string template) =>
        template.Replace("{s}", _session.ToString(), StringComparison.Ordinal).Replace("{c}", _conversation.ToString(), StringComparison.Ordinal);

    private async Task AssertUnchangedAsync()
    {
        var session = await _alice.GetSessionAsync(_session);
        Assert.Multiple(async () =>
        {
            Assert.That(session.GetProperty("system_prompt").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
            Assert.That(session.GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
            Assert.That(await _alice.GetTurnsAsync(_session, _conversation), Is.Empty);
            Assert.That((await _alice.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK)).GetArrayLength(), Is.EqualTo(1));
            Assert.That((await _alice.ListKeysAsync()).GetArrayLength(), Is.Zero);
        });
    }

    /// <summary>A read-only stream that hides its length, so HttpClient sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
