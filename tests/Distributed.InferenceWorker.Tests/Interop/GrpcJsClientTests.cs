using System.Text.Json;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Interop;

/// <summary>
/// Our contract through a second, independent gRPC implementation: the grpc-js client (tests/interop/client.js, which
/// loads protos/distributed/inference/v1/inference.proto with @grpc/proto-loader) against a real worker. Every
/// scenario runs in one node process; the tests read its JSON report.
/// </summary>
[TestFixture]
public sealed class GrpcJsClientTests
{
    private const string Stories = "stories260K";
    private const string GreedyPrompt = "Once upon a time";
    private WorkerHost _worker = null!;
    private JsonElement _results;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        await NodeProcess.EnsurePackagesAsync();
        _worker = await WorkerHost.StartAsync();
        var output = await NodeProcess.RunAsync("node", ["client.js", $"127.0.0.1:{_worker.Address.Port}"], TimeSpan.FromSeconds(60));
        _results = JsonDocument.Parse(output).RootElement.Clone();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    [TestCase("healthServer")]
    [TestCase("healthInference")]
    public void HealthCheck_WholeServerAndInferenceService_Serving(string scenario)
    {
        var result = Result(scenario);

        Assert.That(Code(result), Is.EqualTo(StatusCode.OK));
        Assert.That(result.GetProperty("reply").GetProperty("status").GetString(), Is.EqualTo("SERVING"));
    }

    [Test]
    public void ListModels_GrpcJsClient_ListsStoriesWithAliases()
    {
        var result = Result("listModels");
        var models = result.GetProperty("reply").GetProperty("models").EnumerateArray().ToArray();
        var stories = models.Single(m => m.GetProperty("name").GetString() == Stories);

        Assert.That(Code(result), Is.EqualTo(StatusCode.OK));
        Assert.That(stories.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()), Is.EquivalentTo(new[] { "llama2", "stories" }));
        Assert.That(stories.GetProperty("file").GetString(), Is.EqualTo("stories260K.gguf"));
    }

    [Test]
    public async Task Generate_GrpcJsClientGreedy_DeltasThenLengthReplyWithSameTextAsDotNetClient()
    {
        var result = Result("generate");
        var last = result.GetProperty("last");
        var deltas = result.GetProperty("deltas").EnumerateArray().Select(d => d.GetString()).ToArray();

        var dotnet = await _worker.Client.RunAsync(GenerationClient.Prompt(Stories, GreedyPrompt, 8));

        Assert.Multiple(() =>
        {
            Assert.That(Code(result), Is.EqualTo(StatusCode.OK));
            Assert.That(deltas, Is.Not.Empty, "text arrives as deltas before the last reply");
            Assert.That(last.GetProperty("finishReason").GetString(), Is.EqualTo("FINISH_REASON_LENGTH"));
            Assert.That(last.GetProperty("usage").GetProperty("completionTokens").GetInt32(), Is.EqualTo(8));
            Assert.That(last.GetProperty("usage").GetProperty("promptTokens").GetInt32(), Is.EqualTo(dotnet.Final.Usage.PromptTokens));
            Assert.That(result.GetProperty("text").GetString(), Is.Not.Empty.And.EqualTo(dotnet.Text));
        });
    }

    [Test]
    public void Generate_GrpcJsClientUnknownModel_NotFoundWithModelNotFoundDetail()
    {
        var result = Result("unknownModel");

        Assert.That(Code(result), Is.EqualTo(StatusCode.NotFound));
        Assert.That(DetailOf(result).GetProperty("reason").GetString(), Is.EqualTo("ERROR_REASON_MODEL_NOT_FOUND"));
    }

    [Test]
    public void Generate_GrpcJsClientPromptTooLong_InvalidArgumentWithErrorDetailInStatusDetailsTrailer()
    {
        var result = Result("promptTooLong");
        var status = result.GetProperty("statusDetails");
        var detail = DetailOf(result);

        Assert.Multiple(() =>
        {
            Assert.That(Code(result), Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(status.GetProperty("code").GetInt32(), Is.EqualTo((int)StatusCode.InvalidArgument));
            Assert.That(status.GetProperty("message").GetString(), Is.EqualTo(result.GetProperty("details").GetString()));
            Assert.That(status.GetProperty("details")[0].GetProperty("typeUrl").GetString(),
                Is.EqualTo("type.googleapis.com/" + ErrorDetail.Descriptor.FullName));
            Assert.That(detail.GetProperty("reason").GetString(), Is.EqualTo("ERROR_REASON_PROMPT_TOO_LONG"));
            Assert.That(detail.GetProperty("context_length").GetInt32(), Is.EqualTo(512));
            Assert.That(detail.GetProperty("prompt_tokens").GetInt32(), Is.GreaterThan(512));
        });
    }

    [Test]
    public void Generate_GrpcJsClientDeadlinePasses_DeadlineExceededAndSlotFreed()
    {
        var result = Result("deadline");

        Assert.That(Code(result), Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(result.GetProperty("slot").GetProperty("freed").GetBoolean(), Is.True, result.ToString());
    }

    [Test]
    public void Generate_GrpcJsClientCancelsAfterFirstReply_CancelledAndSlotFreed()
    {
        var result = Result("cancel");

        Assert.That(Code(result), Is.EqualTo(StatusCode.Cancelled));
        Assert.That(result.GetProperty("replies").GetInt32(), Is.GreaterThanOrEqualTo(1));
        Assert.That(result.GetProperty("slot").GetProperty("freed").GetBoolean(), Is.True, result.ToString());
    }

    private JsonElement Result(string scenario) => _results.GetProperty(scenario);

    private static StatusCode Code(JsonElement result) => (StatusCode)result.GetProperty("code").GetInt32();

    /// <summary>The one detail of the decoded google.rpc.Status, which must be our ErrorDetail.</summary>
    private static JsonElement DetailOf(JsonElement result)
    {
        var status = result.GetProperty("statusDetails");
        Assert.That(status.ValueKind, Is.EqualTo(JsonValueKind.Object), "the failure carries a grpc-status-details-bin trailer");
        var details = status.GetProperty("details");
        Assert.That(details.GetArrayLength(), Is.EqualTo(1));
        Assert.That(details[0].GetProperty("typeName").GetString(), Is.EqualTo(ErrorDetail.Descriptor.FullName));
        return details[0].GetProperty("value");
    }
}
