namespace Distributed.Gateway.Tests.OpenAi;

/// <summary>The /v1 wire format where the SDKs do not look: error shapes, refused parameters, ownership, store:false, the model list.</summary>
[TestFixture]
public sealed class OpenAiHttpTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateBearerClient(TestKeys.Alice);
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [Test]
    public async Task Models_ListsNamesAndAliases_AndGetsOne()
    {
        var list = await _client.GetFromJsonElementAsync("/v1/models");
        var ids = list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToArray();
        var alias = await _client.GetFromJsonElementAsync("/v1/models/llama2");

        Assert.Multiple(() =>
        {
            Assert.That(list.GetProperty("object").GetString(), Is.EqualTo("list"));
            Assert.That(ids, Does.Contain(WorkerProcess.Stories).And.Contain("llama2"));
            Assert.That(alias.GetProperty("object").GetString(), Is.EqualTo("model"));
            Assert.That(alias.GetProperty("alias_of").GetString(), Is.EqualTo(WorkerProcess.Stories));
        });
    }

    [TestCase("tools", "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}")]
    [TestCase("n", "{\"n\":2}")]
    [TestCase("logprobs", "{\"logprobs\":true}")]
    [TestCase("response_format", "{\"response_format\":{\"type\":\"json_object\"}}")]
    [TestCase("messages[0].content[0].type", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x/y.png\"}}]}]}")]
    public async Task ChatCompletions_UnsupportedParameter_Returns400NamingIt(string param, string extra)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse("{\"model\":\"stories260K\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(extra)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        var (status, error, _) = await _client.PostOpenAiAsync("/v1/chat/completions", body);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(400));
            Assert.That(error.GetProperty("error").GetProperty("param").GetString(), Is.EqualTo(param));
            Assert.That(error.GetProperty("error").GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
            Assert.That(error.GetProperty("error").GetProperty("message").GetString(), Does.Contain("not supported"));
        });
    }

    [Test]
    public async Task NoKey_Returns401InOpenAiShape()
    {
        using var anonymous = _env.Gateway.CreateClient(null);

        var (status, error, _) = await anonymous.PostOpenAiAsync("/v1/chat/completions", new { model = WorkerProcess.Stories, messages = new[] { new { role = "user", content = "Hi" } } });

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(401));
            Assert.That(error.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("invalid_api_key"));
        });
    }

    [Test]
    public async Task ChatCompletions_Streamed_EndsWithUsageAndDone()
    {
        var events = await _client.PostStreamAsync("/v1/chat/completions", new
        {
            model = WorkerProcess.Stories,
            messages = new[] { new { role = "user", content = "Once upon a time" } },
            max_tokens = 8,
            temperature = 0,
            stream = true,
            stream_options = new { include_usage = true },
        });

        var chunks = events.Take(events.Count - 1).Select(e => System.Text.Json.JsonDocument.Parse(e.Data).RootElement).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(events[^1].Data, Is.EqualTo("[DONE]"));
            Assert.That(chunks.Select(c => c.GetProperty("object").GetString()), Is.All.EqualTo("chat.completion.chunk"));
            Assert.That(chunks[^1].GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Number));
            Assert.That(chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.AnyOf("stop", "length"));
        });
    }

    [Test]
    public async Task Responses_SomeoneElsesId_Is404_AndDeleteRemovesIt()
    {
        var (status, created, _) = await _client.PostOpenAiAsync("/v1/responses", new { model = WorkerProcess.Stories, input = "A bird sang", max_output_tokens = 8 });
        Assert.That(status, Is.EqualTo(200), created.ToString());
        var id = created.GetProperty("id").GetString()!;
        using var bob = _env.Gateway.CreateBearerClient(TestKeys.Bob);

        var (bobGet, _, _) = await GetAsync(bob, $"/v1/responses/{id}");
        var (bobContinue, bobError, _) = await bob.PostOpenAiAsync("/v1/responses", new { model = WorkerProcess.Stories, input = "And then", previous_response_id = id });
        using var deleted = await _client.DeleteAsync($"/v1/responses/{id}");
        var (afterDelete, _, _) = await GetAsync(_client, $"/v1/responses/{id}");

        Assert.Multiple(() =>
        {
            Assert.That(bobGet, Is.EqualTo(404));
            Assert.That(bobContinue, Is.EqualTo(404));
            Assert.That(bobError.GetProperty("error").GetProperty("param").GetString(), Is.EqualTo("previous_response_id"));
            Assert.That((int)deleted.StatusCode, Is.EqualTo(200));
            Assert.That(afterDelete, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task Responses_StoreFalse_AnswersAndStoresNothing()
    {
        var (status, created, _) = await _client.PostOpenAiAsync("/v1/responses", new { model = WorkerProcess.Stories, input = "A frog jumped", max_output_tokens = 8, store = false });
        Assert.That(status, Is.EqualTo(200), created.ToString());

        var (get, _, _) = await GetAsync(_client, $"/v1/responses/{created.GetProperty("id").GetString()}");

        Assert.Multiple(() =>
        {
            Assert.That(created.GetProperty("store").GetBoolean(), Is.False);
            Assert.That(created.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString(), Is.Not.Empty);
            Assert.That(get, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task Responses_PreviousThatIsNotTheLastTurn_Branches()
    {
        var first = await CreateAsync(new { model = WorkerProcess.Stories, input = "Sam had a kite", max_output_tokens = 8, temperature = 0 });
        var second = await CreateAsync(new { model = WorkerProcess.Stories, input = "It flew high", max_output_tokens = 8, temperature = 0, previous_response_id = first.GetProperty("id").GetString() });
        var branch = await CreateAsync(new { model = WorkerProcess.Stories, input = "It fell down", max_output_tokens = 8, temperature = 0, previous_response_id = first.GetProperty("id").GetString() });

        var main = second.GetProperty("x_distributed");
        var other = branch.GetProperty("x_distributed");
        using var llm = _env.Gateway.CreateClient(TestKeys.Alice);
        var branchTurns = await llm.GetTurnsAsync(Guid.Parse(other.GetProperty("session_id").GetString()!), Guid.Parse(other.GetProperty("conversation_id").GetString()!));
        Assert.Multiple(() =>
        {
            Assert.That(other.GetProperty("session_id").GetString(), Is.EqualTo(main.GetProperty("session_id").GetString()));
            Assert.That(other.GetProperty("conversation_id").GetString(), Is.Not.EqualTo(main.GetProperty("conversation_id").GetString()));
            Assert.That(branchTurns.Select(t => t.Content), Is.EqualTo(new[]
            {
                "Sam had a kite", Text(first), "It fell down", Text(branch),
            }));
        });
    }

    private async Task<System.Text.Json.JsonElement> CreateAsync(object body)
    {
        var (status, created, _) = await _client.PostOpenAiAsync("/v1/responses", body);
        Assert.That(status, Is.EqualTo(200), created.ToString());
        return created;
    }

    private static string Text(System.Text.Json.JsonElement response) =>
        response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;

    private static async Task<(int Status, string Body, HttpResponseMessage Response)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
