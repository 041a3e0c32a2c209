using System.Text;
using Microsoft.Extensions.AI;

namespace Distributed.Gateway.Tests.OpenAi;

/// <summary>
/// <c>Microsoft.Extensions.AI</c>'s <see cref="IChatClient"/> built with <c>Microsoft.Extensions.AI.OpenAI</c> on the
/// gateway: on Chat Completions, and on the Responses API where <see cref="ChatOptions.ConversationId"/> carries the
/// server-side conversation, so the app sends only the new message.
/// </summary>
[TestFixture]
public sealed class ChatClientAbstractionTests
{
    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task ChatCompletionsClient_GetResponseAndStreaming_Agree()
    {
        using IChatClient client = OpenAiClients.For(_env.Gateway).GetChatClient(WorkerProcess.Stories).AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = 16, Temperature = 0 };

        var response = await client.GetResponseAsync("Once upon a time", options);
        var streamed = new StringBuilder();
        var updates = 0;
        await foreach (var update in client.GetStreamingResponseAsync("Once upon a time", options))
        {
            updates++;
            streamed.Append(update.Text);
        }

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.Not.Empty);
            Assert.That(response.Usage?.InputTokenCount, Is.GreaterThan(0));
            Assert.That(updates, Is.GreaterThan(1));
            Assert.That(streamed.ToString().Trim(), Is.EqualTo(response.Text));
        });
    }

    [Test]
    public async Task ResponsesClient_ConversationId_KeepsTheHistoryOnTheServer()
    {
        using IChatClient client = OpenAiClients.For(_env.Gateway).GetResponsesClient().AsIChatClient(WorkerProcess.Stories);
        var options = new ChatOptions { MaxOutputTokens = 12, Temperature = 0 };

        var first = await client.GetResponseAsync("Tom found a shiny stone", options);
        Assert.That(first.ConversationId, Does.StartWith("resp_"));

        // Only the new message goes out; the gateway has the rest.
        var followUp = options.Clone();
        followUp.ConversationId = first.ConversationId;
        var second = await client.GetResponseAsync("He showed it to his mom", followUp);
        // Non-streamed: Microsoft.Extensions.AI.OpenAI 10.11.0 is built against OpenAI 2.14.0, and its Responses
        // streaming calls a 2.14 overload that 2.15.0 no longer has (MissingMethodException in the client). Streaming
        // through IChatClient is covered on Chat Completions above, Responses streaming with the SDK itself.
        var thirdOptions = options.Clone();
        thirdOptions.ConversationId = second.ConversationId;
        var third = await client.GetResponseAsync("She smiled", thirdOptions);
        var thirdConversation = third.ConversationId;

        using var http = _env.Gateway.CreateClient();
        var stored = await http.GetFromJsonElementAsync($"/v1/responses/{second.ConversationId}");
        var session = Guid.Parse(stored.GetProperty("x_distributed").GetProperty("session_id").GetString()!);
        var conversation = Guid.Parse(stored.GetProperty("x_distributed").GetProperty("conversation_id").GetString()!);
        var turns = await http.GetTurnsAsync(session, conversation);
        Assert.Multiple(() =>
        {
            Assert.That(second.ConversationId, Does.StartWith("resp_").And.Not.EqualTo(first.ConversationId));
            Assert.That(thirdConversation, Does.StartWith("resp_"));
            Assert.That(second.Text, Is.Not.Empty);
            Assert.That(third.Text, Is.Not.Empty);
            Assert.That(turns.Select(t => t.Content).Take(4), Is.EqualTo(new[] { "Tom found a shiny stone", first.Text, "He showed it to his mom", second.Text }));
            Assert.That(turns, Has.Count.EqualTo(6), "the three turns, one conversation, visible through /llm/sessions");
        });
    }
}
