using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Models;

/// <summary>
/// <c>Worker:KvCacheType</c> reaches llama.cpp's context: the test models' attention heads (8 wide) are narrower than
/// a q8_0/q4_0 block (32), so llama.cpp refuses the context, and that refusal comes back as a clear
/// FAILED_PRECONDITION. (The quantized path itself was run on the 110M benchmark model, see README.)
/// </summary>
[TestFixture]
public sealed class KvCacheTypeTests
{
    [TestCase("q8_0")]
    [TestCase("q4_0")]
    public async Task Generate_QuantizedKvCacheOnNarrowHeads_FailedPreconditionWithLlamaReason(string type)
    {
        await using var worker = await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:KvCacheType"] = type });

        var error = Assert.ThrowsAsync<RpcException>(async () =>
            await worker.Client.RunAsync(GenerationClient.Prompt("stories260K", "Once upon a time", maxTokens: 4)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(error.Status.Detail, Does.Contain($"K cache type {type}").And.Contain("does not divide"));
    }

    [Test]
    public async Task Generate_DefaultF16Cache_Answers()
    {
        await using var worker = await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:KvCacheType"] = "f16" });

        var outcome = await worker.Client.RunAsync(GenerationClient.Prompt("stories260K", "Once upon a time", maxTokens: 4));

        Assert.That(outcome.Final.Usage.CompletionTokens, Is.EqualTo(4));
    }

    [Test]
    public void Start_UnknownKvCacheType_RefusedAtStartup() =>
        Assert.That(async () => await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:KvCacheType"] = "q5_1" }),
            Throws.InstanceOf<Exception>().With.Message.Contains("KvCacheType"));
}
