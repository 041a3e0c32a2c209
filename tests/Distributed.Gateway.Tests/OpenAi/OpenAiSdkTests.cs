using System.ClientModel;
using System.Text;
using Distributed.Gateway.Tests.Limits;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using OpenAI.Responses;

namespace Distributed.Gateway.Tests.OpenAi;

/// <summary>The official OpenAI .NET SDK (2.15.0), unchanged, against the gateway: chat, streaming, a Responses chain, errors.</summary>
[TestFixture]
public sealed class OpenAiSdkTests
{
    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task ChatClient_CompleteChat_AnswersWithUsage()
    {
        var chat = OpenAiClients.For(_env.Gateway).GetChatClient(WorkerProcess.Stories);

        ChatCompletion completion = await chat.CompleteChatAsync(
            [new SystemChatMessage("You tell stories."), new UserChatMessage("Once upon a time")],
            new ChatCompletionOptions { MaxOutputTokenCount = 16, Temperature = 0, Seed = 7 });

        Assert.Multiple(() =>
        {
            Assert.That(completion.Content[0].Text, Is.Not.Empty);
            Assert.That(completion.Role, Is.EqualTo(ChatMessageRole.Assistant));
            Assert.That(completion.FinishReason, Is.AnyOf(ChatFinishReason.Stop, ChatFinishReason.Length));
            Assert.That(completion.Usage.InputTokenCount, Is.GreaterThan(0));
            Assert.That(completion.Usage.OutputTokenCount, Is.InRange(1, 16));
            Assert.That(completion.Usage.TotalTokenCount, Is.EqualTo(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount));
            Assert.That(completion.Id, Does.StartWith("chatcmpl-"));
        });
    }

    [Test]
    public async Task ChatClient_Streaming_GivesTheSameTextAsNonStreamedAndUsage()
    {
        var chat = OpenAiClients.For(_env.Gateway).GetChatClient(WorkerProcess.Stories);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 0 };
        ChatMessage[] messages = [new UserChatMessage("The little dog")];

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync(messages, options))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        ChatCompletion whole = await chat.CompleteChatAsync(messages, options);
        Assert.Multiple(() =>
        {
            Assert.That(updates, Is.GreaterThan(2));
            Assert.That(text.ToString().Trim(), Is.EqualTo(whole.Content[0].Text));
            Assert.That(finish, Is.AnyOf(ChatFinishReason.Stop, ChatFinishReason.Length));
            Assert.That(usage, Is.Not.Null, "the SDK asks for stream_options.include_usage");
            Assert.That(usage!.OutputTokenCount, Is.InRange(1, 24));
        });
    }

    [Test]
    public async Task ResponsesClient_ThreeTurnChain_ThirdTurnsContextHoldsTheFirst()
    {
        var responses = OpenAiClients.For(_env.Gateway).GetResponsesClient();
        var first = await CreateAsync(responses, "Lily had a red ball", null);
        var second = await CreateAsync(responses, "She went to the park", first.Id);
        var third = await CreateAsync(responses, "Then it rained", second.Id);

        // The same history resent statelessly gives the same answer: the chain's third context is exactly the
        // first two turns and the new message (temperature 0 is deterministic).
        var chat = OpenAiClients.For(_env.Gateway).GetChatClient(WorkerProcess.Stories);
        ChatCompletion resent = await chat.CompleteChatAsync(
            [
                new UserChatMessage("Lily had a red ball"), new AssistantChatMessage(first.GetOutputText()),
                new UserChatMessage("She went to the park"), new AssistantChatMessage(second.GetOutputText()),
                new UserChatMessage("Then it rained"),
            ],
            new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 });

        Assert.Multiple(() =>
        {
            Assert.That(third.PreviousResponseId, Is.EqualTo(second.Id));
            Assert.That(third.Usage.InputTokenCount, Is.GreaterThan(first.Usage.InputTokenCount + first.Usage.OutputTokenCount), "the third prompt holds the first turn");
            Assert.That(third.GetOutputText(), Is.EqualTo(resent.Content[0].Text));
        });

        ResponseResult read = await responses.GetResponseAsync(third.Id);
        Assert.That(read.GetOutputText(), Is.EqualTo(third.GetOutputText()));
    }

    [Test]
    public async Task ResponsesClient_Streaming_SendsTheEventsAndContinuesTheChain()
    {
        var responses = OpenAiClients.For(_env.Gateway).GetResponsesClient();
        var first = await CreateAsync(responses, "A cat sat", null);
        var options = new CreateResponseOptions { Model = WorkerProcess.Stories, MaxOutputTokenCount = 12, Temperature = 0, PreviousResponseId = first.Id, StreamingEnabled = true };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("It was sunny"));

        var deltas = new StringBuilder();
        string? done = null;
        ResponseResult? completed = null;
        await foreach (var update in await responses.CreateResponseStreamingAsync(options))
        {
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    deltas.Append(delta.Delta);
                    break;
                case StreamingResponseOutputTextDoneUpdate textDone:
                    done = textDone.Text;
                    break;
                case StreamingResponseCompletedUpdate end:
                    completed = end.Response;
                    break;
                case StreamingResponseIncompleteUpdate end:
                    completed = end.Response;
                    break;
            }
        }

        Assert.That(completed, Is.Not.Null, "response.completed or response.incomplete");
        ResponseResult read = await responses.GetResponseAsync(completed!.Id);
        Assert.Multiple(() =>
        {
            Assert.That(deltas.ToString(), Is.Not.Empty);
            Assert.That(done, Is.EqualTo(deltas.ToString().Trim()));
            Assert.That(completed.GetOutputText(), Is.EqualTo(done));
            Assert.That(completed.PreviousResponseId, Is.EqualTo(first.Id));
            Assert.That(read.GetOutputText(), Is.EqualTo(done));
        });
    }

    [Test]
    public void WrongApiKey_Raises401()
    {
        var chat = OpenAiClients.For(_env.Gateway, "not-a-key").GetChatClient(WorkerProcess.Stories);

        var ex = Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("Hi")]));

        Assert.That(ex!.Status, Is.EqualTo(401));
    }

    [Test]
    public void UnknownModel_Raises404()
    {
        var chat = OpenAiClients.For(_env.Gateway).GetChatClient("no-such-model");

        var ex = Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("Hi")]));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Status, Is.EqualTo(404));
            Assert.That(ex.Message, Does.Contain("model_not_found"));
        });
    }

    [Test]
    public async Task OverTheRequestLimit_Raises429()
    {
        await using var gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Limits:User:RequestsPerMinute"] = "2",
        }, services: s => s.AddSingleton<TimeProvider>(new MinuteStartClock()));
        await gateway.WaitUntilReadyAsync();
        var chat = OpenAiClients.For(gateway).GetChatClient(WorkerProcess.Stories);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 2 };
        await chat.CompleteChatAsync([new UserChatMessage("Hi")], options);
        await chat.CompleteChatAsync([new UserChatMessage("Hi")], options);

        var ex = Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("Hi")], options));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Status, Is.EqualTo(429));
            Assert.That(ex.GetRawResponse()?.Headers.TryGetValue("Retry-After", out _), Is.True);
        });
    }

    private static async Task<ResponseResult> CreateAsync(ResponsesClient responses, string text, string? previous)
    {
        var options = new CreateResponseOptions { Model = WorkerProcess.Stories, MaxOutputTokenCount = 12, Temperature = 0, PreviousResponseId = previous };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem(text));
        return await responses.CreateResponseAsync(options);
    }
}
