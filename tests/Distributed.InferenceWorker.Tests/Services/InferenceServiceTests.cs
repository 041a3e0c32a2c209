using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Grpc.Health.V1;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>The worker end to end: real Kestrel, real gRPC client, real llama.cpp and the shared test models.</summary>
public class InferenceServiceTests
{
    private const string Stories = "stories260K";
    private const string Random = "llama-2-tiny-random";
    private WorkerHost _worker = null!;

    private Inference.InferenceClient Client => _worker.Client;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public async Task HealthCheck_Started_Serving()
    {
        var reply = await new Health.HealthClient(_worker.Channel).CheckAsync(new HealthCheckRequest()).ResponseAsync;
        Assert.That(reply.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving));
    }

    [Test]
    public async Task ListModels_Directory_ListsGgufFilesWithAliases()
    {
        var reply = await Client.ListModelsAsync(new ListModelsRequest()).ResponseAsync;
        var names = reply.Models.Select(m => m.Name).ToArray();
        Assert.That(names, Is.SupersetOf(new[] { Stories, Random, "not-gguf", "truncated", "empty" }));
        var stories = reply.Models.Single(m => m.Name == Stories);
        Assert.That(stories.Aliases, Is.EquivalentTo(new[] { "llama2", "stories" }));
        Assert.That(stories.File, Is.EqualTo("stories260K.gguf"));
        Assert.That(stories.SizeBytes, Is.EqualTo(new FileInfo(TestPaths.Stories).Length));
    }

    [Test]
    public async Task LoadModel_ByAlias_ReadyMessageAndModelFacts()
    {
        var reply = await Client.LoadModelAsync(new LoadModelRequest { Name = "llama2" }).ResponseAsync;
        Assert.Multiple(() =>
        {
            Assert.That(reply.Message, Is.EqualTo("stories260K model is ready to use."));
            Assert.That(reply.Model.Loaded, Is.True);
            Assert.That(reply.Model.Parameters, Is.InRange(250_000, 350_000));
            Assert.That(reply.Model.ContextLength, Is.EqualTo(512));
            Assert.That(reply.MemoryBytes, Is.GreaterThan(0));
        });

        var again = await Client.LoadModelAsync(new LoadModelRequest { Name = Stories }).ResponseAsync;
        Assert.That(again.AlreadyLoaded, Is.True);
    }

    [Test]
    public async Task LoadModel_ConcurrentSameModel_SharesOneLoad()
    {
        await Client.UnloadModelAsync(new UnloadModelRequest { Name = Random }).ResponseAsync;
        var loads = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            Client.LoadModelAsync(new LoadModelRequest { Name = Random }).ResponseAsync));
        // Every caller that did not find it resident waited on the same load, so they report the same load time.
        var fresh = loads.Where(l => !l.AlreadyLoaded).Select(l => l.LoadMs).Distinct().ToArray();
        Assert.That(fresh, Has.Length.EqualTo(1));
        var status = await Client.StatusAsync();
        Assert.That(status.Loaded.Count(m => m.Name == Random), Is.EqualTo(1));
    }

    [Test]
    public async Task UnloadModel_Loaded_RemovedFromStatus()
    {
        await Client.LoadModelAsync(new LoadModelRequest { Name = Random }).ResponseAsync;
        var reply = await Client.UnloadModelAsync(new UnloadModelRequest { Name = Random }).ResponseAsync;
        var status = await Client.StatusAsync();
        var list = await Client.ListModelsAsync(new ListModelsRequest()).ResponseAsync;
        Assert.Multiple(() =>
        {
            Assert.That(reply.WasLoaded, Is.True);
            Assert.That(status.Loaded.Select(m => m.Name), Does.Not.Contain(Random));
            Assert.That(list.Models.Single(m => m.Name == Random).Loaded, Is.False);
        });
    }

    [TestCase("not-gguf", "not a GGUF file")]
    [TestCase("empty", "not a GGUF file")]
    [TestCase("truncated", "could not be loaded")]
    public async Task LoadModel_BadFile_FailedPreconditionAndWorkerKeepsServing(string name, string reason)
    {
        var error = Assert.ThrowsAsync<RpcException>(() => Client.LoadModelAsync(new LoadModelRequest { Name = name }).ResponseAsync);
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(error.Status.Detail, Does.Contain(reason));

        var outcome = await Client.RunAsync(GenerationClient.Prompt(Stories, "Once upon a time", 8));
        Assert.That(outcome.Final.Usage.CompletionTokens, Is.GreaterThan(0));
    }

    [Test]
    public async Task LoadModel_UnknownName_NotFoundListingModels()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => Client.LoadModelAsync(new LoadModelRequest { Name = "gpt-9" }).ResponseAsync);
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(error.Status.Detail, Does.Contain("stories260K"));
    }

    [Test]
    public async Task Generate_GreedyStories_SameEnglishTextEveryRun()
    {
        var request = GenerationClient.Prompt(Stories, "Once upon a time, there was a little girl", 40);
        var first = await Client.RunAsync(request);
        var second = await Client.RunAsync(request);

        var words = first.Text.Split([' ', '.', ',', '\n', '!', '"'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(second.Text, Is.EqualTo(first.Text));
            Assert.That(words.Length, Is.GreaterThan(10));
            Assert.That(words.Count(w => w.All(char.IsAsciiLetter)), Is.GreaterThan(words.Length * 8 / 10));
            Assert.That(words, Has.Some.Matches<string>(w => w is "the" or "a" or "was" or "she" or "to" or "and"));
            Assert.That(first.Final.FinishReason, Is.AnyOf(FinishReason.Length, FinishReason.Stop));
        });
    }

    [Test]
    public async Task Generate_SameSeed_SameSampledText()
    {
        var request = GenerationClient.Prompt(Stories, "The dog", 30, temperature: 0.9f);
        request.Sampling.Seed = 1234;
        var first = await Client.RunAsync(request);
        var second = await Client.RunAsync(request);
        Assert.That(second.Text, Is.EqualTo(first.Text));
    }

    [Test]
    public async Task Generate_Stream_DeltasInOrderThenOneFinalReply()
    {
        var outcome = await Client.RunAsync(GenerationClient.Prompt(Stories, "Once upon a time", 24));
        var final = outcome.Final;
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Deltas.Count, Is.GreaterThan(5), "text arrives token by token, not at the end");
            Assert.That(final.FinishReason, Is.EqualTo(FinishReason.Length));
            Assert.That(final.Usage.CompletionTokens, Is.EqualTo(24));
            Assert.That(final.Usage.PromptTokens, Is.GreaterThan(3));
            Assert.That(final.Timings.DecodeTokensPerSecond, Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task Generate_ClientCancels_SlotFreedForNextRequest()
    {
        using var cts = new CancellationTokenSource();
        var request = GenerationClient.Prompt(WorkerHost.LongModel, "hello", 100_000, temperature: 1f);
        var seen = 0;
        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = Client.Generate(request, new CallOptions(cancellationToken: cts.Token));
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));

        await Client.WaitForStatusAsync(s => s.ActiveSequences == 0);
        var next = await Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "hello again", 5));
        Assert.That(next.Final.Usage.CompletionTokens, Is.EqualTo(5));
    }

    [Test]
    public async Task Generate_DeadlinePasses_DeadlineExceededAndSlotFreed()
    {
        // 4096 random tokens take seconds; the deadline passes long before.
        var request = GenerationClient.Prompt(WorkerHost.LongModel, "hello", 100_000, temperature: 1f);
        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(150))));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        await Client.WaitForStatusAsync(s => s.ActiveSequences == 0);
    }

    [Test]
    public async Task Generate_SwitchBetweenModels_EachAnswersWithItsOwnVocabulary()
    {
        var stories = await Client.RunAsync(GenerationClient.Prompt(Stories, "Once upon a time", 16));
        var random = await Client.RunAsync(GenerationClient.Prompt(Random, "Once upon a time", 16));
        var storiesAgain = await Client.RunAsync(GenerationClient.Prompt(Stories, "Once upon a time", 16));
        var status = await Client.StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(random.Text, Is.Not.EqualTo(stories.Text));
            Assert.That(storiesAgain.Text, Is.EqualTo(stories.Text));
            Assert.That(status.Loaded.Select(m => m.Name), Is.SupersetOf(new[] { Stories, Random }));
        });
    }

    [Test]
    public async Task Generate_PromptLongerThanContext_InvalidArgumentWithNumbers()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("the little dog ran to the park", 200));
        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(GenerationClient.Prompt(Stories, prompt, 10)));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Status.Detail, Does.Match("prompt has \\d+ tokens but a sequence holds 512"));
    }

    [Test]
    public async Task Generate_StopString_TextEndsBeforeIt()
    {
        var full = await Client.RunAsync(GenerationClient.Prompt(Stories, "Once upon a time", 40));
        var words = full.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stop = words[4];
        var request = GenerationClient.Prompt(Stories, "Once upon a time", 40);
        request.Sampling.Stop.Add(stop);

        var stopped = await Client.RunAsync(request);
        Assert.Multiple(() =>
        {
            Assert.That(stopped.Final.FinishReason, Is.EqualTo(FinishReason.Stop));
            Assert.That(stopped.Text, Is.EqualTo(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)]));
        });
    }

    [Test]
    public async Task Generate_MultiBytePieces_NoDeltaSplitsACharacter()
    {
        for (var seed = 1u; seed <= 3; seed++)
        {
            var request = GenerationClient.Prompt(Random, "日本語のテキスト 🎉 émigré", 120, temperature: 1.0f);
            request.Sampling.Seed = seed;
            request.Sampling.TopK = 0;
            request.Sampling.MinP = 0;
            var outcome = await Client.RunAsync(request);
            foreach (var delta in outcome.Deltas)
            {
                Assert.That(IsWellFormed(delta), Is.True, $"delta {Escape(delta)} splits a surrogate pair");
            }
        }
    }

    [Test]
    public async Task Generate_ChatMessages_TemplateAppliedAndAnswered()
    {
        var outcome = await Client.RunAsync(GenerationClient.Chat(Random, 8, ("system", "Be brief."), ("user", "Hello there")));
        Assert.That(outcome.Final.Usage.CompletionTokens, Is.GreaterThan(0));
        // The llama2 template wraps the turns in [INST] markers, so the prompt is longer than the two messages.
        Assert.That(outcome.Final.Usage.PromptTokens, Is.GreaterThan(10));
    }

    [Test]
    public async Task Generate_NextTurnWithCacheKey_ReusesKvCache()
    {
        var first = GenerationClient.Prompt(Stories, "Once upon a time, there was a girl named Lily. She", 12, cacheKey: "conv-1");
        var firstOutcome = await Client.RunAsync(first);
        var second = GenerationClient.Prompt(Stories, first.Prompt + firstOutcome.Text + " Then", 12, cacheKey: "conv-1");
        var secondOutcome = await Client.RunAsync(second);
        Assert.That(secondOutcome.Final.Usage.CachedTokens, Is.GreaterThan(firstOutcome.Final.Usage.PromptTokens / 2));
    }

    [TestCase(-1f, 0.9f, "temperature")]
    [TestCase(0.5f, 0f, "top_p")]
    public void Generate_BadSampling_InvalidArgument(float temperature, float topP, string field)
    {
        var request = GenerationClient.Prompt(Stories, "x", 4, temperature);
        request.Sampling.TopP = topP;
        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(request));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Status.Detail, Does.Contain(field));
    }

    [Test]
    public void Generate_NoInput_InvalidArgument()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(new GenerateRequest { Model = Stories }));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:X4}"));
}
